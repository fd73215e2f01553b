package config

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// secret is recognisable in any output, and long enough for the last-resort
// redaction of free text.
const secret = "s3cr3t-T0KEN-9f8e7d"

// TestLoad_sensitiveValuesNeverAppearInDiagnostics misuses sensitive values
// in every way a diagnostic could quote one, and searches the terminal and
// the JSON renderings for the secret.
func TestLoad_sensitiveValuesNeverAppearInDiagnostics(t *testing.T) {
	for _, tc := range []struct {
		name string
		spec string   // appended to the variable declarations
		vars []string // --var flags
		file string   // a --var-file, when not ""
		env  map[string]string
		want string // a summary the diagnostics must hold
	}{
		{name: "tag", spec: `release { tag = "${chart.name}-${var.token}" }`, want: "Sensitive value in release.tag"},
		{name: "title", spec: `release { title = var.token }`, want: "Sensitive value in release.title"},
		{name: "repository", spec: `github { repository = "acme/${var.token}" }`, want: "Sensitive value in repository"},
		{name: "enum", spec: `signing { mode = var.token }`, want: "Sensitive value in mode"},
		{name: "number", spec: `retry { attempts = var.token }`, want: "Sensitive value in attempts"},
		{name: "duration", spec: `retry { min_backoff = var.token }`, want: "Sensitive value in min_backoff"},
		{name: "list", spec: `release { assets = [var.token] }`, want: "Sensitive value in assets"},
		{name: "env", spec: `release { notes_template = env("RELCTL_TEST_SECRET") }`, env: map[string]string{"RELCTL_TEST_SECRET": secret},
			want: "Sensitive value in notes_template"},
		{name: "function error", spec: `locals { n = tonumber(var.token) }`, want: "Invalid function argument"},
		{name: "function error on env", spec: `locals { n = tonumber(env("RELCTL_TEST_SECRET")) }`, env: map[string]string{"RELCTL_TEST_SECRET": secret},
			want: "Invalid function argument"},
		{name: "validation message", spec: `variable "checked" {
  sensitive = true
  default   = "` + secret + `"
  validation {
    condition     = length(var.checked) < 5
    error_message = "too long: ${var.checked}"
  }
}`, want: "Invalid value for variable"},
		{name: "variables file", spec: `variable "n" {
  type      = number
  sensitive = true
}`, file: `n = "` + secret + `"`, want: "Invalid value for variable"},
		{name: "typed --var", spec: `variable "l" {
  type      = list(string)
  sensitive = true
}`, vars: []string{"l=[" + secret}, want: "Invalid value for variable"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			files := withPodinfo(map[string]string{
				FileName: minimalSpec + "\nvariable \"token\" {\n  sensitive = true\n}\n" + tc.spec + "\n",
			})
			if tc.file != "" {
				files["secret.tfvars"] = tc.file + "\n"
			}
			dir := writeTree(t, files)
			opts := LoadOptions{Dir: dir, Vars: append([]string{"token=" + secret}, tc.vars...)}
			if tc.file != "" {
				opts.VarFiles = []string{filepath.Join(dir, "secret.tfvars")}
			}
			p := NewParser()
			_, diags := p.Load(hermetic(opts, tc.env))
			text := render(t, p, diags)
			js, err := json.Marshal(p.DiagnosticsJSON(diags))
			if err != nil {
				t.Fatal(err)
			}
			if !diags.HasErrors() || !strings.Contains(text, tc.want) {
				t.Fatalf("want an error %q, got:\n%s", tc.want, text)
			}
			for what, out := range map[string]string{"terminal": text, "JSON": string(js)} {
				if strings.Contains(out, secret) || strings.Contains(out, secret[:12]) {
					t.Errorf("the %s diagnostics show the secret:\n%s", what, out)
				}
			}
		})
	}
}

// TestLoad_sensitiveValueIsUsedWhereAllowed: a Sigstore URL may carry
// credentials; it reaches the Spec, and nonsensitive() lets an env() value
// into a published attribute.
func TestLoad_sensitiveValueIsUsedWhereAllowed(t *testing.T) {
	dir := writeTree(t, withPodinfo(map[string]string{
		FileName: `variable "fulcio" {
  sensitive = true
}

registry {
  repository = "ghcr.io/${nonsensitive(lower(env("OWNER")))}/charts"
}

chart "podinfo" {
  path = "podinfo"
}

signing {
  fulcio_url = var.fulcio
  identity {
    subject_regexp = "^https://github.com/acme/"
  }
}
`,
	}))
	url := "https://ci:" + secret + "@fulcio.example.com"
	spec := mustLoad(t, hermetic(LoadOptions{Dir: dir, Vars: []string{"fulcio=" + url}}, map[string]string{"OWNER": "Acme"}))
	if spec.Signing.FulcioURL != url {
		t.Errorf("FulcioURL = %q, want the sensitive URL, used as given", spec.Signing.FulcioURL)
	}
	if spec.Registry.Repository != "ghcr.io/acme/charts" {
		t.Errorf("Repository = %q, want ghcr.io/acme/charts", spec.Registry.Repository)
	}
}

// TestParser_redactHidesSensitiveValuesOfTheLatestLoad: callers printing
// something derived from the spec can hide the same values.
func TestParser_redactHidesSensitiveValuesOfTheLatestLoad(t *testing.T) {
	dir := writeTree(t, withPodinfo(map[string]string{
		FileName: minimalSpec + "variable \"token\" {\n  sensitive = true\n}\nvariable \"plain\" {}\n",
	}))
	p := NewParser()
	if _, diags := p.Load(hermetic(LoadOptions{Dir: dir, Vars: []string{"token=" + secret, "plain=visible-value"}}, nil)); diags.HasErrors() {
		t.Fatal(render(t, p, diags))
	}
	got := p.Redact("a " + secret + " and visible-value")
	if got != "a "+Redacted+" and visible-value" {
		t.Errorf("Redact = %q, want the sensitive value replaced and the plain one kept", got)
	}
}

// TestLoad_sensitiveMustBeAConstantBool: whether a value may be shown cannot
// depend on other values.
func TestLoad_sensitiveMustBeAConstantBool(t *testing.T) {
	for _, v := range []string{`"maybe"`, `var.other`} {
		dir := writeTree(t, withPodinfo(map[string]string{
			FileName: minimalSpec + "variable \"other\" {\n  default = true\n}\nvariable \"token\" {\n  default   = \"x\"\n  sensitive = " + v + "\n}\n",
		}))
		p := NewParser()
		_, diags := p.Load(hermetic(LoadOptions{Dir: dir}, nil))
		if !diags.HasErrors() || !strings.Contains(diags.Error(), "relctl.hcl:13,") {
			t.Errorf("sensitive = %s: want an error at the attribute (line 13), got:\n%s", v, render(t, p, diags))
		}
	}
}
