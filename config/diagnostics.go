package config

import (
	"bufio"
	"bytes"
	"io"
	"os"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hcled"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// Diagnostic is one problem as `relctl validate --json` prints it. The shape
// is Terraform's `validate -json` diagnostic, so tools that read one read
// the other.
type Diagnostic struct {
	// Severity is "error" or "warning".
	Severity string   `json:"severity"`
	Summary  string   `json:"summary"`
	Detail   string   `json:"detail,omitempty"`
	Range    *Range   `json:"range,omitempty"`
	Snippet  *Snippet `json:"snippet,omitempty"`
}

// Range is a span of a source file. Filename is relative to the spec
// directory for relctl.hcl.
type Range struct {
	Filename string `json:"filename"`
	Start    Pos    `json:"start"`
	End      Pos    `json:"end"`
}

// Pos is a position: Line and Column count from 1, Byte from 0. Column
// counts characters (grapheme clusters), not bytes.
type Pos struct {
	Line   int `json:"line"`
	Column int `json:"column"`
	Byte   int `json:"byte"`
}

// Snippet is the source around a diagnostic's range.
type Snippet struct {
	// Context names the enclosing block, like `registry` or `chart "podinfo"`.
	Context string `json:"context,omitempty"`
	// Code is the whole lines the range touches, without the final newline.
	Code string `json:"code"`
	// StartLine is the line number of Code's first line.
	StartLine int `json:"start_line"`
	// HighlightStartOffset and HighlightEndOffset delimit the range within
	// Code, in bytes.
	HighlightStartOffset int `json:"highlight_start_offset"`
	HighlightEndOffset   int `json:"highlight_end_offset"`
}

// WriteDiagnostics renders diags for a terminal, with a snippet of each
// offending line:
//
//	Error: Unsupported argument
//
//	  on relctl.hcl line 12, in registry:
//	  12:   foo = 1
//
//	An argument named "foo" is not expected here.
//
// color adds VT100 colors and underlines the offending span.
//
// Sensitive values of the latest Load never appear: where a message quotes
// one on purpose it says (sensitive value), and any text of one that
// reached a message otherwise (a function's error, a snippet of a variables
// file) is replaced by it.
func (p *Parser) WriteDiagnostics(w io.Writer, diags hcl.Diagnostics, color bool) error {
	var buf bytes.Buffer
	if err := hcl.NewDiagnosticTextWriter(&buf, p.sources(diags), p.Width, color).WriteDiagnostics(diags); err != nil {
		return err
	}
	_, err := io.WriteString(w, p.Redact(buf.String()))
	return err
}

// Redact replaces the text of every sensitive value the latest Load met with
// (sensitive value). Callers that print something derived from the spec
// outside diagnostics use it too.
func (p *Parser) Redact(text string) string {
	return p.redact.redact(text)
}

// DiagnosticsJSON converts diags for `validate --json`. It never returns
// nil, so an empty result encodes as [].
func (p *Parser) DiagnosticsJSON(diags hcl.Diagnostics) []Diagnostic {
	files := p.sources(diags)
	out := make([]Diagnostic, 0, len(diags))
	for _, d := range diags {
		jd := Diagnostic{Severity: "error", Summary: p.Redact(d.Summary), Detail: p.Redact(d.Detail)}
		if d.Severity == hcl.DiagWarning {
			jd.Severity = "warning"
		}
		if d.Subject != nil {
			jd.Range = &Range{
				Filename: d.Subject.Filename,
				Start:    Pos{Line: d.Subject.Start.Line, Column: d.Subject.Start.Column, Byte: d.Subject.Start.Byte},
				End:      Pos{Line: d.Subject.End.Line, Column: d.Subject.End.Column, Byte: d.Subject.End.Byte},
			}
			jd.Snippet = snippet(files[d.Subject.Filename], d)
			if jd.Snippet != nil {
				jd.Snippet.redact(p.redact)
			}
		}
		out = append(out, jd)
	}
	return out
}

// snippet cuts the lines a diagnostic's subject (and context) cover, as
// Terraform's JSON view does.
func snippet(file *hcl.File, d *hcl.Diagnostic) *Snippet {
	if file == nil || file.Bytes == nil {
		return nil
	}
	highlight := *d.Subject
	if highlight.Empty() {
		// An empty range (a missing item) still marks one character.
		highlight.End.Byte++
		highlight.End.Column++
	}
	around := highlight
	if d.Context != nil {
		around = hcl.RangeOver(around, *d.Context)
	}

	var code strings.Builder
	start, startLine := -1, 0
	sc := hcl.NewRangeScanner(file.Bytes, highlight.Filename, bufio.ScanLines)
	for sc.Scan() {
		line := sc.Range()
		if !line.Overlaps(around) && !(around.Empty() && line.ContainsOffset(around.Start.Byte)) {
			continue
		}
		if start < 0 {
			start, startLine = line.Start.Byte, line.Start.Line
		}
		code.Write(line.SliceBytes(file.Bytes))
		code.WriteByte('\n')
	}
	if start < 0 {
		return nil
	}
	s := &Snippet{
		Context:              hcled.ContextString(file, highlight.Start.Byte-1),
		Code:                 strings.TrimSuffix(code.String(), "\n"),
		StartLine:            startLine,
		HighlightStartOffset: highlight.Start.Byte - start,
		HighlightEndOffset:   highlight.End.Byte - start,
	}
	s.HighlightStartOffset = clamp(s.HighlightStartOffset, 0, len(s.Code))
	s.HighlightEndOffset = clamp(s.HighlightEndOffset, s.HighlightStartOffset, len(s.Code))
	return s
}

// sources returns the files diagnostics may quote: those the latest Load
// parsed, plus any other file a diagnostic names (FormatDir's, say), read
// now from disk relative to the working directory.
func (p *Parser) sources(diags hcl.Diagnostics) map[string]*hcl.File {
	files := map[string]*hcl.File{}
	if p.hp != nil {
		for name, f := range p.hp.Files() {
			files[name] = f
		}
	}
	for name, f := range p.extra {
		files[name] = f
	}
	for _, d := range diags {
		if d.Subject == nil {
			continue
		}
		name := d.Subject.Filename
		if _, known := files[name]; known || strings.HasPrefix(name, "<") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			continue
		}
		// Parsed for the block names in "in registry:" lines; syntax
		// errors are the diagnostics being shown, so they are ignored.
		f, _ := hclsyntax.ParseConfig(src, name, hcl.InitialPos)
		if f == nil {
			f = &hcl.File{Bytes: src}
		}
		if p.extra == nil {
			p.extra = map[string]*hcl.File{}
		}
		p.extra[name] = f
		files[name] = f
	}
	return files
}

// redact hides secrets in the code; the highlight keeps its start and is
// clamped to the shorter or longer text.
func (s *Snippet) redact(r redactor) {
	code := r.redact(s.Code)
	if code == s.Code {
		return
	}
	s.Code = code
	s.HighlightStartOffset = clamp(s.HighlightStartOffset, 0, len(code))
	s.HighlightEndOffset = clamp(s.HighlightEndOffset, s.HighlightStartOffset, len(code))
}

func clamp(v, lo, hi int) int {
	if v < lo {
		return lo
	}
	if v > hi {
		return hi
	}
	return v
}
