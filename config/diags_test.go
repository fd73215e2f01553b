package config

import (
	"testing"
)

// diagCase is a spec that must fail to load; its rendered diagnostics are
// compared with testdata/diags/<name>.golden.
type diagCase struct {
	name  string
	files map[string]string // relctl.hcl and anything else, podinfo/Chart.yaml added
	vars  []string
	env   map[string]string
	// varFiles are relative to the spec directory, which becomes the
	// working directory so that paths in the output are stable.
	varFiles []string
}

func TestLoad_reportsProblemsWithSourceRanges(t *testing.T) {
	for _, tc := range diagCases {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeTree(t, withPodinfo(tc.files))
			if len(tc.varFiles) > 0 {
				t.Chdir(dir)
			}
			p := NewParser()

			spec, diags := p.Load(hermetic(LoadOptions{Dir: dir, Vars: tc.vars, VarFiles: tc.varFiles}, tc.env))

			if !diags.HasErrors() {
				t.Fatalf("Load succeeded, want errors; diagnostics: %v", diags)
			}
			if spec != nil {
				t.Error("Load returned a Spec along with errors")
			}
			out := render(t, p, diags)
			noTempPaths(t, out)
			checkGolden(t, "diags/"+tc.name+".golden", out)
		})
	}
}

// spec builds relctl.hcl from minimalSpec plus extra blocks.
func spec(extra string) map[string]string {
	return map[string]string{"relctl.hcl": minimalSpec + extra}
}

const registryOnly = "registry {\n  repository = \"ghcr.io/acme/charts\"\n}\n"

var diagCases = []diagCase{
	{name: "malformed_hcl", files: map[string]string{"relctl.hcl": "registry {\n  repository = \n}\n"}},
	{name: "unknown_attribute", files: map[string]string{"relctl.hcl": "registry {\n  repository = \"ghcr.io/acme/charts\"\n  foo        = 1\n}\nchart \"podinfo\" {\n  path = \"podinfo\"\n}\n"}},
	{name: "unknown_block", files: spec("bogus {\n}\n")},
	{name: "duplicate_registry", files: spec(registryOnly)},
	{name: "missing_registry", files: map[string]string{"relctl.hcl": "chart \"podinfo\" {\n  path = \"podinfo\"\n}\n"}},
	{name: "on_conflict_invalid", files: map[string]string{"relctl.hcl": "registry {\n  repository  = \"ghcr.io/acme/charts\"\n  on_conflict = \"sometimes\"\n}\nchart \"podinfo\" {\n  path = \"podinfo\"\n}\n"}},
	{name: "wrong_attribute_type", files: map[string]string{"relctl.hcl": "registry {\n  repository = \"ghcr.io/acme/charts\"\n  insecure   = \"maybe\"\n}\nchart \"podinfo\" {\n  path = \"podinfo\"\n}\n"}},
	{name: "repository_with_scheme", files: map[string]string{"relctl.hcl": "registry {\n  repository = \"oci://ghcr.io/acme/charts\"\n}\nchart \"podinfo\" {\n  path = \"podinfo\"\n}\n"}},
	{name: "repository_uppercase", files: map[string]string{"relctl.hcl": "variable \"owner\" {\n  default = \"Acme\"\n}\nregistry {\n  repository = \"ghcr.io/${var.owner}/charts\"\n}\nchart \"podinfo\" {\n  path = \"podinfo\"\n}\n"}},
	{name: "repository_without_host", files: map[string]string{"relctl.hcl": "registry {\n  repository = \"acme/charts\"\n}\nchart \"podinfo\" {\n  path = \"podinfo\"\n}\n"}},
	{name: "github_repository_invalid", files: spec("github {\n  repository = \"acme\"\n}\n")},
	{name: "no_charts_declared", files: map[string]string{"relctl.hcl": registryOnly}},
	{name: "chart_folder_missing", files: spec("chart \"nginx\" {\n  path = \"charts/nginx\"\n}\n")},
	{name: "chart_without_chart_yaml", files: map[string]string{
		"relctl.hcl":       minimalSpec + "chart \"foo\" {\n  path = \"charts/foo\"\n}\n",
		"charts/foo/x.txt": "not a chart",
	}},
	{name: "chart_yaml_unparsable", files: map[string]string{
		"relctl.hcl":            registryOnly + "charts {\n  dir = \"charts\"\n}\n",
		"charts/foo/Chart.yaml": "name: [unclosed\n",
	}},
	{name: "chart_version_not_semver", files: map[string]string{
		"relctl.hcl":            registryOnly + "charts {}\n",
		"charts/foo/Chart.yaml": chartYAML("foo", "1.2"),
		"charts/bar/Chart.yaml": chartYAML("bar", "v1.2.3"),
	}},
	{name: "chart_name_uppercase", files: map[string]string{
		"relctl.hcl":                registryOnly + "charts {}\n",
		"charts/PodInfo/Chart.yaml": chartYAML("PodInfo", "1.0.0"),
	}},
	{name: "chart_name_mismatch", files: map[string]string{
		"relctl.hcl": registryOnly + "chart \"nginx\" {\n  path = \"podinfo\"\n}\n",
	}},
	{name: "duplicate_chart", files: map[string]string{
		"relctl.hcl":                minimalSpec + "charts {\n  dir = \"charts\"\n}\n",
		"charts/podinfo/Chart.yaml": chartYAML("podinfo", "6.5.1"),
	}},
	{name: "chart_path_escapes", files: spec("chart \"other\" {\n  path = \"../other\"\n}\n")},
	{name: "charts_dir_escapes", files: spec("charts {\n  dir = \"/etc\"\n}\n")},
	{name: "keyless_without_subject_regexp", files: spec("signing {\n  mode = \"keyless\"\n}\n")},
	{name: "keyless_identity_without_subject_regexp", files: spec("signing {\n  identity {\n    issuer = \"https://issuer.example.com\"\n  }\n}\n")},
	{name: "key_mode_without_key", files: spec("signing {\n  mode = \"key\"\n}\n")},
	{name: "bad_subject_regexp", files: spec("signing {\n  identity {\n    subject_regexp = \"^https://github.com/(acme\"\n  }\n}\n")},
	{name: "bad_fulcio_url", files: spec("signing {\n  mode       = \"none\"\n  fulcio_url = \"fulcio.sigstore.dev\"\n}\n")},
	{name: "bad_duration", files: spec("retry {\n  min_backoff = \"5 seconds\"\n}\n")},
	{name: "retry_bounds", files: spec("retry {\n  attempts    = 0\n  min_backoff = \"2m\"\n  max_backoff = \"1m\"\n}\n")},
	{name: "undeclared_var", vars: []string{"nope=1"}, files: spec("")},
	{name: "invalid_var_option", vars: []string{"justavalue"}, files: spec("")},
	{name: "var_not_a_number", vars: []string{"count=three"}, files: spec("variable \"count\" {\n  type = number\n}\n")},
	{name: "missing_variable_value", files: spec("variable \"owner\" {\n  type = string\n}\n")},
	{name: "validation_failure", vars: []string{"owner=Acme"}, files: spec("variable \"owner\" {\n  type = string\n  validation {\n    condition     = var.owner == lower(var.owner)\n    error_message = \"owner must be lowercase: GHCR names are.\"\n  }\n}\n")},
	{name: "validation_failure_reported_once", vars: []string{"mode=bogus"}, files: spec("variable \"mode\" {\n  default = \"keyless\"\n  validation {\n    condition     = contains([\"keyless\", \"key\", \"none\"], var.mode)\n    error_message = \"mode must be keyless, key or none.\"\n  }\n}\nsigning {\n  mode = var.mode\n}\n")},
	{name: "var_file_wrong_type", varFiles: []string{"prod.hcl"}, files: map[string]string{
		"relctl.hcl": minimalSpec + "variable \"count\" {\n  type = number\n}\n",
		"prod.hcl":   "count = \"many\"\n",
	}},
	{name: "local_cycle", files: spec("locals {\n  a = local.b\n  b = local.a\n}\nrelease {\n  notes_template = local.a\n}\n")},
	{name: "undeclared_local", files: spec("release {\n  notes_template = local.nope\n}\n")},
	{name: "files_glob_escaping", files: spec("release {\n  files = [\"docs/*.pdf\", \"../secrets/*\", \"/etc/passwd\"]\n}\n")},
	{name: "invalid_notes_template", files: spec("release {\n  notes_template = \"{{ .Chart.Name \"\n}\n")},
	{name: "invalid_asset_name", files: spec("release {\n  assets = [\"docs/README.md\"]\n}\n")},
	{name: "invalid_release_tag", files: spec("release {\n  tag = \"${chart.name} v${chart.version}\"\n}\n")},
	{name: "release_tag_unknown_attribute", files: spec("release {\n  tag = \"${chart.nam}-${chart.version}\"\n}\n")},
	{name: "file_function_missing", files: spec("release {\n  notes_template = file(\"missing.tmpl\")\n}\n")},
	{name: "duplicate_variable", files: spec("variable \"owner\" {\n  default = \"a\"\n}\nvariable \"owner\" {\n  default = \"b\"\n}\n")},
	{name: "duplicate_local", files: spec("locals {\n  a = 1\n}\nlocals {\n  a = 2\n}\n")},
	{name: "duplicate_signing_identity", files: spec("signing {\n  identity {\n    subject_regexp = \"^a\"\n  }\n  identity {\n    subject_regexp = \"^b\"\n  }\n}\n")},
	{name: "signing_mode_invalid", files: spec("signing {\n  mode = \"sigstore\"\n}\n")},
	{name: "chart_yaml_without_name", files: map[string]string{
		"relctl.hcl":            registryOnly + "charts {}\n",
		"charts/foo/Chart.yaml": "apiVersion: v2\nversion: 1.0.0\n",
	}},
	{name: "charts_dir_missing", files: map[string]string{"relctl.hcl": registryOnly + "charts {\n  dir = \"helm\"\n}\n"}},
	{name: "charts_dir_empty", files: map[string]string{"relctl.hcl": registryOnly + "charts {}\n", "charts/README.md": "none yet"}},
	{name: "duplicate_release_tag", files: map[string]string{
		"relctl.hcl":          registryOnly + "charts {}\nrelease {\n  tag = \"v${chart.version}\"\n}\n",
		"charts/a/Chart.yaml": chartYAML("a", "1.0.0"),
		"charts/b/Chart.yaml": chartYAML("b", "1.0.0"),
	}},
	{name: "missing_variable_reported_once", files: map[string]string{"relctl.hcl": `variable "owner" {}

registry {
  repository = "ghcr.io/${var.owner}/charts"
}

github {
  repository = "${var.owner}/charts"
}

signing {
  mode = var.owner
  key  = "${var.owner}.key"
}

chart "podinfo" {
  path = "podinfo"
}

release {
  tag = "${var.owner}-${chart.name}"
}
`}},
	{name: "several_problems_at_once", files: map[string]string{"relctl.hcl": "registry {\n  repository  = \"ghcr.io/acme/charts\"\n  on_conflict = \"never\"\n}\nretry {\n  max_backoff = \"soon\"\n}\nchart \"podinfo\" {\n  path = \"podinfo\"\n}\nsigning {}\n"}},
}
