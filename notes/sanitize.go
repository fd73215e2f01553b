package notes

import (
	"html"
	"regexp"
	"strings"
)

// zwj (U+200D ZERO WIDTH JOINER) is what SanitizeMarkdown inserts to break a
// construct without changing what readers see: inside a code span it is as
// invisible as outside, so the sanitiser need not know where code spans are
// (which takes a full CommonMark parser to know for sure).
const zwj = "\u200d"

// lineEndings turns every line ending CommonMark knows into "\n".
var lineEndings = strings.NewReplacer("\r\n", "\n", "\r", "\n")

// SanitizeMarkdown neutralises chart-author Markdown (a CHANGELOG.md
// section) for a release page, keeping it readable as Markdown: headings,
// lists, emphasis, http(s) and mailto links, code spans and code blocks
// render as written. What it changes:
//
//   - raw HTML and autolinks: a '<' that would open a tag, a comment, a
//     declaration or an autolink ("<script>", "<img onerror=…>", "<!--",
//     "<javascript:…>") gets a zwj after it, so it is shown, not parsed;
//   - link and image destinations, inline or in a reference definition,
//     with a scheme other than http, https or mailto ("javascript:",
//     "data:", "vbscript:", entity-encoded or not) lose their link syntax
//     (a zwj between "]" and "(" or ":"), leaving the text visible;
//   - mentions ("@everyone", "@here", "@user", "@org/team") get a zwj after
//     the '@', so nobody is notified; e-mail addresses are left alone;
//   - a code fence left open is closed at the end, so it cannot swallow
//     what the notes template puts after the changelog.
//
// Lines inside a fenced code block are kept byte for byte (commands stay
// copyable). To know exactly where fences are without a full parser, a
// fence opener indented by 1-3 spaces is moved to column 0: indented, it
// could belong to a list item and end with it, where a sanitiser would
// think it still open.
func SanitizeMarkdown(s string) string {
	// A line ends at \n, \r\n or a lone \r (CommonMark §2.1): a lone \r
	// left in a line would read as one on the next pass.
	lines := strings.Split(lineEndings.Replace(s), "\n")
	out := make([]string, 0, len(lines)+1)
	var prose []string
	flush := func() {
		if len(prose) > 0 {
			out = append(out, strings.Split(neutralise(strings.Join(prose, "\n")), "\n")...)
			prose = prose[:0]
		}
	}
	var open codeFence
	for _, line := range lines {
		switch {
		case open.n == 0:
			if f, ok := openingFence(line); ok {
				flush()
				open = f
				out = append(out, strings.TrimLeft(line, " "))
				continue
			}
			prose = append(prose, line)
		case open.closedBy(line):
			out = append(out, line)
			open = codeFence{}
		default:
			out = append(out, line)
		}
	}
	flush()
	if open.n > 0 {
		out = append(out, strings.Repeat(string(open.char), open.n))
	}
	return strings.Join(out, "\n")
}

// codeFence is an open fenced code block (CommonMark §4.5): n > 0 fence
// characters char.
type codeFence struct {
	char byte
	n    int
}

// openingFence reports whether line opens a fenced code block: at most 3
// spaces, then 3 or more '`' or '~'; a backtick fence's info string may not
// hold a backtick.
func openingFence(line string) (codeFence, bool) {
	t := strings.TrimLeft(line, " ")
	if len(line)-len(t) > 3 || len(t) < 3 || t[0] != '`' && t[0] != '~' {
		return codeFence{}, false
	}
	n := 0
	for n < len(t) && t[n] == t[0] {
		n++
	}
	if n < 3 || t[0] == '`' && strings.Contains(t[n:], "`") {
		return codeFence{}, false
	}
	return codeFence{char: t[0], n: n}, true
}

// closedBy reports whether line closes the fence: at most 3 spaces, at
// least as many of the same character, then only spaces or tabs.
func (f codeFence) closedBy(line string) bool {
	t := strings.TrimLeft(line, " ")
	if len(line)-len(t) > 3 {
		return false
	}
	n := 0
	for n < len(t) && t[n] == f.char {
		n++
	}
	return n >= f.n && strings.Trim(t[n:], " \t") == ""
}

// neutralise applies the inline rules of SanitizeMarkdown to prose (text
// outside fenced code blocks).
func neutralise(s string) string {
	var b strings.Builder
	b.Grow(len(s) + len(s)/16)
	for i := 0; i < len(s); i++ {
		c := s[i]
		b.WriteByte(c)
		switch {
		case c == '<' && i+1 < len(s) && opensMarkup(s[i+1]):
			b.WriteString(zwj)
		case c == ']' && i+1 < len(s) && (s[i+1] == '(' || s[i+1] == ':') && unsafeDestination(s[i+2:]):
			b.WriteString(zwj)
		case mentionAt(s, i):
			b.WriteString(zwj)
		}
	}
	return b.String()
}

// opensMarkup reports whether c after '<' makes raw HTML (a tag, a closing
// tag, a comment, a declaration, a processing instruction) or an autolink.
func opensMarkup(c byte) bool {
	return c == '/' || c == '!' || c == '?' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// mentionAt reports whether s[i] is the '@' of a GitHub mention ("@user",
// "@org/team", "@everyone", "@here"): followed by a letter or digit and not
// part of an e-mail address (GitHub mentions follow a non-word character).
func mentionAt(s string, i int) bool {
	if s[i] != '@' || i+1 >= len(s) || !isAlnum(s[i+1]) {
		return false
	}
	return i == 0 || !isAlnum(s[i-1]) && strings.IndexByte("._+-", s[i-1]) < 0
}

// defangMentions inserts a zwj after the '@' of every mention in s.
func defangMentions(s string) string {
	if !strings.Contains(s, "@") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		b.WriteByte(s[i])
		if mentionAt(s, i) {
			b.WriteString(zwj)
		}
	}
	return b.String()
}

// safeScheme lists the link schemes a release page may keep.
var safeScheme = map[string]bool{"http": true, "https": true, "mailto": true}

var scheme = regexp.MustCompile(`^([a-zA-Z][a-zA-Z0-9+.\-]*):`)

// unsafeDestination reports whether the link destination at the start of
// s (after "](" or "]:") has a scheme other than http, https or mailto.
// It reads the destination as a browser would after CommonMark: entities
// decoded, backslash escapes and control characters dropped ("java&#115;
// cript:", "java\tscript:").
func unsafeDestination(s string) bool {
	s = strings.TrimLeft(s, " \t")
	s = strings.TrimPrefix(s, "\n")
	s = strings.TrimLeft(s, " \t")
	end := strings.IndexAny(s, " \n)>\"'")
	if strings.HasPrefix(s, "<") {
		s = s[1:]
		end = strings.IndexAny(s, ">\n")
	}
	if end >= 0 {
		s = s[:end]
	}
	s = html.UnescapeString(s)
	s = strings.Map(func(r rune) rune {
		if r <= ' ' || r == '\\' || r == 0x7f {
			return -1
		}
		return r
	}, s)
	m := scheme.FindStringSubmatch(s)
	return m != nil && !safeScheme[strings.ToLower(m[1])]
}
