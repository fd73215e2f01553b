package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

type validateJSON struct {
	FormatVersion string `json:"format_version"`
	Valid         bool   `json:"valid"`
	ErrorCount    int    `json:"error_count"`
	WarningCount  int    `json:"warning_count"`
	Diagnostics   []struct {
		Severity string `json:"severity"`
		Summary  string `json:"summary"`
		Range    *struct {
			Filename string `json:"filename"`
			Start    struct {
				Line int `json:"line"`
			} `json:"start"`
		} `json:"range"`
	} `json:"diagnostics"`
}

func TestCLI_validateOfAValidSpecSaysSuccess(t *testing.T) {
	h := newHarness(t)
	h.chart("alpha", "1.0.0")
	h.full("", "", "")
	out := h.mustRelctl(exitOK, "validate")
	if !strings.Contains(out, "Success!") {
		t.Errorf("validate:\n%s", out)
	}
	// validate is offline: the registry and GitHub were not asked.
	if n := h.reg.CountRequests(""); n != 0 {
		t.Errorf("validate made %d registry requests", n)
	}
	if n := len(h.gh.Log()); n != 0 {
		t.Errorf("validate made %d GitHub requests", n)
	}

	out = h.mustRelctl(exitOK, "validate", "--json")
	var v validateJSON
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatalf("validate --json: %v\n%s", err, out)
	}
	if v.FormatVersion != "1" || !v.Valid || v.ErrorCount != 0 || v.Diagnostics == nil || len(v.Diagnostics) != 0 {
		t.Errorf("validate --json of a valid spec: %+v", v)
	}
	if !strings.Contains(out, `"diagnostics": []`) {
		t.Errorf("diagnostics is not an empty list:\n%s", out)
	}
}

func TestCLI_validateJSONOfAnInvalidSpecPointsAtTheLine(t *testing.T) {
	tests := []struct {
		name     string
		spec     func(h *harness)
		wantLine int
	}{
		{"unknown attribute", func(h *harness) { h.registryOnly("  colour = \"blue\"\n") }, 3},
		{"unclosed block", func(h *harness) { h.write("relctl.hcl", "registry {\n  repository = \"x\"\n") }, 1},
		{"chart folder not found", func(h *harness) {
			h.write("relctl.hcl", "registry {\n  repository = \""+h.reg.Host+"/acme/charts\"\n}\n\nchart \"podinfo\" {\n  path = \"deploy/podinfo\"\n}\n")
		}, 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			h.chart("alpha", "1.0.0")
			tt.spec(h)
			code, out, _ := h.relctl("validate", "--json")
			if code != exitError {
				t.Fatalf("validate --json of an invalid spec exited %d", code)
			}
			var v validateJSON
			if err := json.Unmarshal([]byte(out), &v); err != nil {
				t.Fatalf("validate --json: %v\n%s", err, out)
			}
			if v.FormatVersion != "1" || v.Valid || v.ErrorCount < 1 || len(v.Diagnostics) < v.ErrorCount {
				t.Fatalf("validate --json: %+v", v)
			}
			d := v.Diagnostics[0]
			if d.Severity != "error" || d.Summary == "" || d.Range == nil {
				t.Fatalf("diagnostic %+v", d)
			}
			if d.Range.Filename != "relctl.hcl" || d.Range.Start.Line != tt.wantLine {
				t.Errorf("diagnostic range %+v, want relctl.hcl line %d", *d.Range, tt.wantLine)
			}
		})
	}
}

const unformattedSpec = `registry {
  repository = "example.com/acme/charts"
  on_conflict = "fail"
}

charts {
    dir = "charts"
}
`

func TestCLI_fmtCheckNamesTheUnformattedFileAndFmtRewritesIt(t *testing.T) {
	h := newHarness(t)
	h.chart("alpha", "1.0.0")
	h.write("relctl.hcl", unformattedSpec)
	path := filepath.Join(h.dir, "relctl.hcl")

	code, out, errOut := h.relctl("fmt", "--check")
	if code != exitFormat {
		t.Fatalf("fmt --check of an unformatted file exited %d\n%s\n%s", code, out, errOut)
	}
	if !strings.Contains(out, "relctl.hcl") {
		t.Errorf("fmt --check does not name the file:\n%s", out)
	}
	if b, _ := os.ReadFile(path); string(b) != unformattedSpec {
		t.Fatalf("fmt --check changed the file:\n%s", b)
	}

	out = h.mustRelctl(exitOK, "fmt")
	if !strings.Contains(out, "relctl.hcl") {
		t.Errorf("fmt does not name the file it rewrote:\n%s", out)
	}
	b, _ := os.ReadFile(path)
	for _, want := range []string{"  repository  = \"example.com/acme/charts\"\n", "  on_conflict = \"fail\"\n", "\n  dir = \"charts\"\n"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("formatted file lacks %q:\n%s", want, b)
		}
	}
	if out := h.mustRelctl(exitOK, "fmt", "--check"); out != "" {
		t.Errorf("fmt --check of a formatted file prints %q", out)
	}
	if out := h.mustRelctl(exitOK, "fmt"); out != "" {
		t.Errorf("fmt of a formatted file prints %q", out)
	}
}

func TestCLI_fmtLeavesAFileWithSyntaxErrorsAlone(t *testing.T) {
	h := newHarness(t)
	broken := "registry {\n  repository   = \"x\"\n"
	h.write("relctl.hcl", broken)
	for _, args := range [][]string{{"fmt"}, {"fmt", "--check"}} {
		code, _, errOut := h.relctl(args...)
		if code != exitError || !strings.Contains(errOut, "relctl.hcl") {
			t.Errorf("relctl %s of a broken file exited %d:\n%s", strings.Join(args, " "), code, errOut)
		}
	}
	if b, _ := os.ReadFile(filepath.Join(h.dir, "relctl.hcl")); string(b) != broken {
		t.Errorf("fmt wrote a file with syntax errors:\n%s", b)
	}
}
