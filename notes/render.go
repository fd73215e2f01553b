package notes

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"text/template"

	"github.com/relctl/relctl/naming"
)

// Render executes tmpl (a Go text/template; "" means Default) over d and
// returns the notes, ending with exactly one newline.
//
// Before rendering, an empty d.Signing.Mode becomes "none" and an empty
// d.Signing.KeyRef becomes "cosign.pub", so templates need not repeat the
// defaults. Besides the fields of Data, templates can call:
//
//	escape s          EscapeMarkdown(s)
//	sh s              s quoted as one POSIX shell word (only when needed)
//	ociTag v          v with '+' replaced by '_', as Helm tags OCI versions
//	ociRef            "<Repository>/<Chart>:<ociTag Version>"
//	sanitize s        SanitizeMarkdown(s): chart-author Markdown made safe
//	changelogSection  ChangelogSection(Changelog, Version), sanitised; ""
//	                  when absent
//	changes           ParseChanges(Changes), a list of Change
//	changelog         the Changelog section for Version; else the changes
//	                  as "- kind: description" bullets (escaped); else the
//	                  whole CHANGELOG.md; else "No changelog provided."
//	                  CHANGELOG.md text is passed through SanitizeMarkdown.
//
// A template that does not parse or execute gives a *TemplateError naming
// its line.
func Render(tmpl string, d Data) (string, error) {
	if tmpl == "" {
		tmpl = Default
	}
	if d.Signing.Mode == "" {
		d.Signing.Mode = SigningNone
	}
	if d.Signing.KeyRef == "" {
		d.Signing.KeyRef = "cosign.pub"
	}
	base, err := parse(tmpl)
	if err != nil {
		return "", templateError(err)
	}
	// The functions are bound to d: a clone gets them, the parsed tree is
	// shared.
	t, err := base.Clone()
	if err != nil {
		return "", templateError(err)
	}
	t.Funcs(funcs(d))
	var buf bytes.Buffer
	if err := t.Execute(&buf, d); err != nil {
		return "", templateError(err)
	}
	return strings.TrimRight(buf.String(), " \t\r\n") + "\n", nil
}

// parsed holds each template text parsed, once per process: a plan renders
// the notes of every chart from the same template, and parsing it was most
// of the work (BENCHMARKS.md, "CPU per chart").
var parsed sync.Map // template text → *template.Template

func parse(tmpl string) (*template.Template, error) {
	if t, ok := parsed.Load(tmpl); ok {
		return t.(*template.Template), nil
	}
	t, err := template.New("notes").Option("missingkey=error").Funcs(funcs(Data{})).Parse(tmpl)
	if err != nil {
		return nil, err
	}
	parsed.Store(tmpl, t)
	return t, nil
}

// Check parses a template without rendering it, with the same functions
// Render offers, so a spec can be validated offline.
func Check(tmpl string) error {
	if _, err := template.New("notes").Funcs(funcs(Data{})).Parse(tmpl); err != nil {
		return templateError(err)
	}
	return nil
}

func funcs(d Data) template.FuncMap {
	ref := d.Repository + "/" + d.Chart + ":" + ociTag(d.Version)
	return template.FuncMap{
		"escape":           EscapeMarkdown,
		"sh":               shellQuote,
		"ociTag":           ociTag,
		"ociRef":           func() string { return ref },
		"changelogSection": func() string { s, _ := ChangelogSection(d.Changelog, d.Version); return SanitizeMarkdown(s) },
		"sanitize":         SanitizeMarkdown,
		"changes":          func() []Change { return ParseChanges(d.Changes) },
		"changelog":        func() string { return changelog(d) },
	}
}

// changelog is the fallback chain of the default template's Changelog
// section.
func changelog(d Data) string {
	if s, ok := ChangelogSection(d.Changelog, d.Version); ok && s != "" {
		return SanitizeMarkdown(s)
	}
	if cs := ParseChanges(d.Changes); len(cs) > 0 {
		var b strings.Builder
		for i, c := range cs {
			if i > 0 {
				b.WriteByte('\n')
			}
			b.WriteString("- ")
			if c.Kind != "" {
				b.WriteString(EscapeMarkdown(c.Kind) + ": ")
			}
			b.WriteString(EscapeMarkdown(c.Description))
		}
		return b.String()
	}
	if s := strings.TrimSpace(strings.ReplaceAll(string(d.Changelog), "\r\n", "\n")); s != "" {
		return SanitizeMarkdown(s)
	}
	return "No changelog provided."
}

// ociTag is how Helm turns a chart version into an OCI tag (naming.OCITag):
// '+' is not allowed in tags, so it becomes '_'.
func ociTag(version string) string { return naming.OCITag(version) }

// TemplateError is a notes template that failed to parse or execute.
type TemplateError struct {
	// Line is the 1-based line of the template, 0 when unknown.
	Line int
	// Msg is text/template's explanation without its position prefix.
	Msg string
	Err error
}

func (e *TemplateError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("release notes template, line %d: %s", e.Line, e.Msg)
	}
	return "release notes template: " + e.Msg
}

func (e *TemplateError) Unwrap() error { return e.Err }

// position matches text/template's "template: notes:LINE[:COL]: " prefix.
var position = regexp.MustCompile(`^template: notes:(\d+)(?::\d+)?: `)

func templateError(err error) error {
	msg := err.Error()
	var ee template.ExecError
	if errors.As(err, &ee) {
		msg = ee.Err.Error()
	}
	te := &TemplateError{Msg: msg, Err: err}
	if m := position.FindStringSubmatch(msg); m != nil {
		te.Line, _ = strconv.Atoi(m[1])
		te.Msg = msg[len(m[0]):]
	}
	return te
}
