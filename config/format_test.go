package config

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const (
	unformatted = "registry {\nrepository = \"ghcr.io/acme/charts\"\n    on_conflict=\"fail\"\n}\n"
	formatted   = "registry {\n  repository  = \"ghcr.io/acme/charts\"\n  on_conflict = \"fail\"\n}\n"
	brokenHCL   = "registry {\n  repository = \n"
)

func TestFormat_alignsAndIndents(t *testing.T) {
	got, diags := Format([]byte(unformatted), "relctl.hcl")

	if diags.HasErrors() {
		t.Fatal(diags)
	}
	if diff := cmp.Diff(formatted, string(got)); diff != "" {
		t.Errorf("Format (-want +got):\n%s", diff)
	}
}

func TestFormat_refusesSyntaxErrors(t *testing.T) {
	got, diags := Format([]byte(brokenHCL), "relctl.hcl")

	if !diags.HasErrors() {
		t.Fatal("no diagnostics for broken HCL")
	}
	if got != nil {
		t.Errorf("Format returned output for broken HCL: %q", got)
	}
	if diags[0].Subject == nil || diags[0].Subject.Filename != "relctl.hcl" {
		t.Errorf("diagnostic subject = %v, want a range in relctl.hcl", diags[0].Subject)
	}
}

func TestFormatDir(t *testing.T) {
	tests := []struct {
		name        string
		write       bool
		files       map[string]string
		wantChanged []string
		wantErrors  bool
		wantAfter   map[string]string
	}{
		{
			name:        "check reports unformatted files and leaves them alone",
			files:       map[string]string{"relctl.hcl": unformatted, "vars.hcl": "a = 1\n"},
			wantChanged: []string{"relctl.hcl"},
			wantAfter:   map[string]string{"relctl.hcl": unformatted, "vars.hcl": "a = 1\n"},
		},
		{
			name:        "write rewrites unformatted files",
			write:       true,
			files:       map[string]string{"relctl.hcl": unformatted, "prod.hcl": "a=1\n"},
			wantChanged: []string{"prod.hcl", "relctl.hcl"},
			wantAfter:   map[string]string{"relctl.hcl": formatted, "prod.hcl": "a = 1\n"},
		},
		{
			name:      "formatted files are unchanged",
			write:     true,
			files:     map[string]string{"relctl.hcl": formatted},
			wantAfter: map[string]string{"relctl.hcl": formatted},
		},
		{
			name:        "a syntax error is reported and that file left untouched",
			write:       true,
			files:       map[string]string{"a.hcl": brokenHCL, "relctl.hcl": unformatted},
			wantChanged: []string{"relctl.hcl"},
			wantErrors:  true,
			wantAfter:   map[string]string{"a.hcl": brokenHCL, "relctl.hcl": formatted},
		},
		{
			name:      "only *.hcl directly in the directory",
			write:     true,
			files:     map[string]string{"sub/x.hcl": unformatted, "notes.txt": unformatted},
			wantAfter: map[string]string{"sub/x.hcl": unformatted, "notes.txt": unformatted},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeTree(t, tt.files)

			changed, diags := FormatDir(dir, tt.write)

			if diags.HasErrors() != tt.wantErrors {
				t.Errorf("errors = %v, want errors: %v", diags, tt.wantErrors)
			}
			var want []string
			for _, name := range tt.wantChanged {
				want = append(want, filepath.Join(dir, name))
			}
			if diff := cmp.Diff(want, changed); diff != "" {
				t.Errorf("changed (-want +got):\n%s", diff)
			}
			for name, content := range tt.wantAfter {
				b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(name)))
				if err != nil {
					t.Fatal(err)
				}
				if string(b) != content {
					t.Errorf("%s after FormatDir = %q, want %q", name, b, content)
				}
			}
		})
	}
}

func TestFormatDir_keepsFileMode(t *testing.T) {
	dir := writeTree(t, map[string]string{"relctl.hcl": unformatted})
	path := filepath.Join(dir, "relctl.hcl")
	if err := os.Chmod(path, 0o600); err != nil {
		t.Fatal(err)
	}

	if _, diags := FormatDir(dir, true); diags.HasErrors() {
		t.Fatal(diags)
	}

	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("mode = %v, want 0600", info.Mode().Perm())
	}
}
