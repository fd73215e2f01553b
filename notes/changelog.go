package notes

import (
	"regexp"
	"strings"

	"sigs.k8s.io/yaml"
)

// ChangelogSection returns the body of the section for version in a
// Keep-a-Changelog file (keepachangelog.com): the lines after a level-2
// heading naming the version, up to the next level-2 heading, trimmed. The
// headings recognised are "## [1.2.0] - 2024-01-01", "## [1.2.0]",
// "## 1.2.0", "## 1.2.0 (2024-01-01)" and the same with a "v" prefix. The
// link reference definitions Keep-a-Changelog puts at the end of the file
// ("[1.2.0]: https://…") are not part of the last section. Headings inside
// fenced code blocks are ignored, unless the fence is never closed. ok is
// false when no heading names version.
func ChangelogSection(changelog []byte, version string) (section string, ok bool) {
	want := strings.TrimPrefix(strings.TrimSpace(version), "v")
	if want == "" {
		return "", false
	}
	lines := strings.Split(strings.ReplaceAll(string(changelog), "\r\n", "\n"), "\n")
	start, end := -1, len(lines)
	fence, fenceAt := "", 0
	for i, line := range lines {
		if f := fenceMarker(line); f != "" {
			switch {
			case fence == "":
				fence, fenceAt = f, i
			case strings.HasPrefix(strings.TrimSpace(line), fence):
				fence = ""
			}
			continue
		}
		if fence != "" || !strings.HasPrefix(line, "## ") {
			continue
		}
		if start >= 0 {
			end = i
			break
		}
		if headingVersion(line) == want {
			start = i + 1
		}
	}
	if start < 0 {
		return "", false
	}
	if fence != "" && end == len(lines) {
		// A fence the file never closes is a mistake, not a code block
		// holding the rest of the file: the section still ends at the
		// next version's heading.
		for i := max(start, fenceAt); i < len(lines); i++ {
			if strings.HasPrefix(lines[i], "## ") {
				end = i
				break
			}
		}
	}
	body := lines[start:end]
	// Drop trailing link reference definitions and blank lines.
	for len(body) > 0 {
		last := strings.TrimSpace(body[len(body)-1])
		if last != "" && !linkDefinition.MatchString(last) {
			break
		}
		body = body[:len(body)-1]
	}
	return strings.TrimSpace(strings.Join(body, "\n")), true
}

// linkDefinition matches a Markdown link reference definition line.
var linkDefinition = regexp.MustCompile(`^\[[^\]]+\]:\s*\S+`)

// headingVersion extracts the version a "## " heading names: the bracketed
// text, or else the first word, without a "v" prefix.
func headingVersion(line string) string {
	h := strings.TrimSpace(strings.TrimPrefix(line, "## "))
	if rest, ok := strings.CutPrefix(h, "["); ok {
		v, _, found := strings.Cut(rest, "]")
		if !found {
			return ""
		}
		return strings.TrimPrefix(strings.TrimSpace(v), "v")
	}
	if f := strings.Fields(h); len(f) > 0 {
		return strings.TrimPrefix(f[0], "v")
	}
	return ""
}

// fenceMarker returns "```" or "~~~" when line opens or closes a fenced
// code block.
func fenceMarker(line string) string {
	t := strings.TrimSpace(line)
	for _, f := range []string{"```", "~~~"} {
		if strings.HasPrefix(t, f) {
			return f
		}
	}
	return ""
}

// ParseChanges reads an artifacthub.io/changes annotation. Artifact Hub
// accepts a YAML list whose entries are strings or objects with "kind" and
// "description" (artifacthub.io/docs/topics/annotations/helm); anything
// that is not such a list is read as plain lines, one change each, with a
// leading "- " removed. Empty entries are skipped.
func ParseChanges(annotation string) []Change {
	if strings.TrimSpace(annotation) == "" {
		return nil
	}
	var entries []any
	if err := yaml.Unmarshal([]byte(annotation), &entries); err == nil && entries != nil {
		if out, ok := structuredChanges(entries); ok {
			return out
		}
	}
	var out []Change
	for _, line := range strings.Split(annotation, "\n") {
		line = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(line), "- "))
		if line != "" {
			out = append(out, Change{Description: line})
		}
	}
	return out
}

func structuredChanges(entries []any) ([]Change, bool) {
	var out []Change
	for _, e := range entries {
		var c Change
		switch v := e.(type) {
		case string:
			c.Description = v
		case map[string]any:
			kind, _ := v["kind"].(string)
			desc, _ := v["description"].(string)
			c = Change{Kind: strings.TrimSpace(kind), Description: desc}
		default:
			return nil, false
		}
		c.Description = strings.Join(strings.Fields(c.Description), " ")
		if c.Description != "" {
			out = append(out, c)
		}
	}
	return out, true
}
