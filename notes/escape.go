package notes

import "strings"

// EscapeMarkdown makes chart metadata (description, change entries) render
// as the literal text it is, so that it cannot add links, images, HTML or
// headings to the release page: `[x](javascript:…)` stays visible text and
// `<script>` is shown, not parsed.
//
// Every ASCII punctuation character with a meaning in CommonMark or GFM
// inline syntax gets a backslash (CommonMark §2.4: any ASCII punctuation
// may be escaped). Line breaks and runs of whitespace become one space, so
// the text cannot start a new block, and a leading list, heading or quote
// marker is escaped as well. Periods, commas, colons, hyphens inside words
// and slashes are left alone so that versions and URLs read naturally.
// Mentions ("@everyone", "@org/team") are defanged as SanitizeMarkdown
// does, so a description notifies nobody.
func EscapeMarkdown(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	var b strings.Builder
	b.Grow(len(s) + len(s)/8)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if strings.IndexByte("\\`*_{}[]()<>#!|~&$", c) >= 0 || i == 0 && strings.IndexByte("-+", c) >= 0 {
			b.WriteByte('\\')
		}
		b.WriteByte(c)
	}
	out := b.String()
	// "1. text" at the start would be an ordered list (CommonMark §5.2:
	// up to 9 digits, '.' or ')', then a space or the end); "6.1.0" is not.
	if n := leadingDigits(out); n > 0 && n <= 9 && n < len(out) && (out[n] == '.' || out[n] == ')') &&
		(n+1 == len(out) || out[n+1] == ' ') {
		out = out[:n] + "\\" + out[n:]
	}
	return defangMentions(out)
}

func leadingDigits(s string) int {
	n := 0
	for n < len(s) && '0' <= s[n] && s[n] <= '9' {
		n++
	}
	return n
}

// shellQuote returns s as one word for a POSIX shell: unchanged when it
// holds only characters no shell treats specially, else single-quoted, an
// embedded single quote being closed, backslash-escaped and reopened.
func shellQuote(s string) string {
	if s == "" {
		return "''"
	}
	safe := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("@%+=:,./_-", c) >= 0) {
			safe = false
			break
		}
	}
	if safe {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
