package config

import (
	"os"
	"path/filepath"
	"testing"
)

// probeSpec declares variables and exposes them through notes_template,
// which is a plain string in the Spec.
const probeSpec = `variable "owner" {
  default = "from-default"
}

variable "count" {
  type    = number
  default = 1
}

variable "tags" {
  type    = list(string)
  default = []
}

registry {
  repository = "ghcr.io/acme/charts"
}

chart "podinfo" {
  path = "podinfo"
}

release {
  notes_template = "${var.owner} ${var.count + 1} ${join(",", var.tags)}"
}
`

func TestLoad_variablePrecedenceFollowsTerraform(t *testing.T) {
	tests := []struct {
		name     string
		env      map[string]string
		varFiles map[string]string // file name → content, applied in name order
		vars     []string
		want     string
	}{
		{name: "defaults", want: "from-default 2 "},
		{
			name: "environment overrides default",
			env:  map[string]string{"RELCTL_VAR_owner": "from-env", "RELCTL_VAR_count": "4"},
			want: "from-env 5 ",
		},
		{
			name:     "var file overrides environment",
			env:      map[string]string{"RELCTL_VAR_owner": "from-env"},
			varFiles: map[string]string{"a.hcl": "owner = \"from-file\"\ntags = [\"x\"]\n"},
			want:     "from-file 2 x",
		},
		{
			name:     "later var file overrides earlier",
			varFiles: map[string]string{"a.hcl": "owner = \"first\"\n", "b.hcl": "owner = \"second\"\n"},
			want:     "second 2 ",
		},
		{
			name:     "flag overrides var file",
			varFiles: map[string]string{"a.hcl": "owner = \"from-file\"\n"},
			vars:     []string{"owner=from-flag"},
			want:     "from-flag 2 ",
		},
		{
			name: "later flag overrides earlier",
			vars: []string{"owner=first", "owner=second"},
			want: "second 2 ",
		},
		{
			name: "flag for a number is converted",
			vars: []string{"count=3"},
			want: "from-default 4 ",
		},
		{
			name: "flag for a list is parsed as HCL",
			vars: []string{`tags=["a", "b"]`},
			want: "from-default 2 a,b",
		},
		{
			name: "untyped flag keeps its text, equals signs included",
			vars: []string{"owner=a=b"},
			want: "a=b 2 ",
		},
		{
			name: "unknown environment variables are ignored",
			env:  map[string]string{"RELCTL_VAR_nope": "x", "OTHER": "y"},
			want: "from-default 2 ",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := withPodinfo(map[string]string{"relctl.hcl": probeSpec})
			for name, content := range tt.varFiles {
				files[name] = content
			}
			dir := writeTree(t, files)
			var varFiles []string
			for _, name := range []string{"a.hcl", "b.hcl"} {
				if _, ok := tt.varFiles[name]; ok {
					varFiles = append(varFiles, filepath.Join(dir, name))
				}
			}

			got := mustLoad(t, hermetic(LoadOptions{Dir: dir, Vars: tt.vars, VarFiles: varFiles}, tt.env))

			if got.Release.NotesTemplate != tt.want {
				t.Errorf("got %q, want %q", got.Release.NotesTemplate, tt.want)
			}
		})
	}
}

func TestLoad_getenvAloneSuppliesVariables(t *testing.T) {
	dir := writeTree(t, withPodinfo(map[string]string{"relctl.hcl": probeSpec}))
	env := map[string]string{"RELCTL_VAR_owner": "via-getenv"}

	got := mustLoad(t, LoadOptions{Dir: dir, Getenv: func(k string) string { return env[k] }})

	if want := "via-getenv 2 "; got.Release.NotesTemplate != want {
		t.Errorf("got %q, want %q", got.Release.NotesTemplate, want)
	}
}

func TestLoad_undeclaredNameInVarFileIsOnlyAWarning(t *testing.T) {
	dir := writeTree(t, withPodinfo(map[string]string{
		"relctl.hcl": probeSpec,
		"vars.hcl":   "stray = 1\n",
	}))
	p := NewParser()

	spec, diags := p.Load(hermetic(LoadOptions{Dir: dir, VarFiles: []string{filepath.Join(dir, "vars.hcl")}}, nil))

	if diags.HasErrors() || spec == nil {
		t.Fatalf("Load failed: %s", diags)
	}
	if len(diags) != 1 || diags[0].Summary != "Value for undeclared variable" {
		t.Errorf("diagnostics = %v, want one warning about the undeclared variable", diags)
	}
}

func TestLoad_localsResolveInDependencyOrder(t *testing.T) {
	dir := writeTree(t, withPodinfo(map[string]string{
		"relctl.hcl": `locals {
  c = "${local.b}-c"
  b = "${local.a}-b"
}
locals {
  a = upper("a")
}
registry {
  repository = "ghcr.io/acme/charts"
}
chart "podinfo" {
  path = "podinfo"
}
release {
  notes_template = local.c
}
`,
	}))

	got := mustLoad(t, hermetic(LoadOptions{Dir: dir}, nil))

	if want := "A-b-c"; got.Release.NotesTemplate != want {
		t.Errorf("got %q, want %q", got.Release.NotesTemplate, want)
	}
}

func TestLoad_varFilePathIsRelativeToWorkingDirectory(t *testing.T) {
	dir := writeTree(t, withPodinfo(map[string]string{"relctl.hcl": probeSpec}))
	cwd := writeTree(t, map[string]string{"env/prod.hcl": "owner = \"prod\"\n"})
	t.Chdir(cwd)

	got := mustLoad(t, hermetic(LoadOptions{Dir: dir, VarFiles: []string{"env/prod.hcl"}}, nil))

	if want := "prod 2 "; got.Release.NotesTemplate != want {
		t.Errorf("got %q, want %q", got.Release.NotesTemplate, want)
	}
	if _, err := os.Stat(filepath.Join(dir, "env")); err == nil {
		t.Fatal("test setup: the var file must not exist under the spec directory")
	}
}
