package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/relctl/relctl/providers/cosign"
	"github.com/relctl/relctl/providers/github/githubtest"
	"github.com/relctl/relctl/providers/oci/ocitest"
)

// Recognisable secrets, one per input that may hold one.
const (
	secretGitHubToken = "ghs_SECRETgithubTOKEN4d1f9a"
	secretRegistry    = "SECRET-registry-pass-83b2"
	secretCosign      = "SECRET-cosign-pass-5e7c"
	secretVarFlag     = "SECRET-variable-flag-a91f"
	secretVarEnv      = "SECRET-variable-env-0b3d"
	secretEnvFunc     = "SECRET-env-function-77aa"
)

// secretsSpec uses every sensitive value where it may be used: in
// conditions, behind nonsensitive() of a boolean, and in a validation.
// misuse replaces the release block.
func secretsSpec(h *harness, misuse string) string {
	release := `release {
  lineage = nonsensitive(local.configured)
}`
	if misuse != "" {
		release = misuse
	}
	return fmt.Sprintf(`variable "deploy_token" {
  sensitive = true
  validation {
    condition     = length(var.deploy_token) > 8
    error_message = "deploy_token is too short."
  }
}

variable "api_key" {
  type      = string
  sensitive = true
}

locals {
  configured = length(env("DEPLOY_SECRET")) > 0 && var.api_key != ""
}

registry {
  repository = "%s/acme/charts"
}

github {
  repository = "acme/charts"
}

charts {
  dir = "charts"
}

signing {
  mode        = "key"
  key         = "env://COSIGN_KEY"
  public_key  = "cosign.pub"
  tlog_upload = false
}

%s
%s`, h.reg.Host, release, fastRetry)
}

// newSecretsHarness is the harness with a registry that requires a
// password and a GitHub whose token is a secret, and a cosign key held in
// the environment, encrypted with a secret password.
func newSecretsHarness(t *testing.T) (*harness, map[string]string) {
	reg, err := ocitest.Start(context.Background(), ocitest.Options{Username: "ci", Password: secretRegistry})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { reg.Close() })
	gh, err := githubtest.Start(githubtest.Options{Token: secretGitHubToken})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(gh.Close)
	gh.AddRepo("acme", "charts")
	home := t.TempDir()
	h := &harness{t: t, dir: t.TempDir(), reg: reg, gh: gh, env: map[string]string{
		"GITHUB_API_URL":           gh.URL(),
		"GITHUB_TOKEN":             secretGitHubToken,
		"RELCTL_REGISTRY_USERNAME": "ci",
		"RELCTL_REGISTRY_PASSWORD": secretRegistry,
		"COSIGN_PASSWORD":          secretCosign,
		"RELCTL_VAR_api_key":       secretVarEnv,
		"DEPLOY_SECRET":            secretEnvFunc,
		"SOURCE_DATE_EPOCH":        "1700000000",
		"HOME":                     home,
		"DOCKER_CONFIG":            filepath.Join(home, ".docker"),
		"TUF_ROOT":                 filepath.Join(home, ".sigstore"),
	}}
	if _, _, err := cosign.GenerateKeyPair(h.dir, []byte(secretCosign)); err != nil {
		t.Fatal(err)
	}
	key, err := os.ReadFile(filepath.Join(h.dir, "cosign.key"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(h.dir, "cosign.key")); err != nil {
		t.Fatal(err)
	}
	h.env["COSIGN_KEY"] = string(key)

	secrets := map[string]string{
		"GITHUB_TOKEN":             secretGitHubToken,
		"RELCTL_REGISTRY_PASSWORD": secretRegistry,
		"COSIGN_PASSWORD":          secretCosign,
		"--var deploy_token":       secretVarFlag,
		"RELCTL_VAR_api_key":       secretVarEnv,
		"env(DEPLOY_SECRET)":       secretEnvFunc,
	}
	// The encrypted key is a secret too: one line of its base64 body.
	for _, line := range strings.Split(string(key), "\n") {
		if len(line) >= 40 && !strings.HasPrefix(line, "-----") {
			secrets["env://COSIGN_KEY"] = line
			break
		}
	}
	return h, secrets
}

// TestE2E_secretsInEveryInputAppearInNoOutput runs the whole cycle with a
// recognisable secret in every input, and sensitive variables used wrongly
// in several ways, then searches everything relctl wrote or published.
func TestE2E_secretsInEveryInputAppearInNoOutput(t *testing.T) {
	h, secrets := newSecretsHarness(t)
	h.chart("alpha", "1.0.0")
	h.chart("beta", "0.3.0")
	h.gh.SeedPull("acme", "charts", "abc", 12, "Bump alpha")
	h.env["GITHUB_SHA"] = "abc"
	summary := filepath.Join(t.TempDir(), "step-summary.md")
	h.env["GITHUB_STEP_SUMMARY"] = summary
	event := filepath.Join(t.TempDir(), "event.json")
	if err := os.WriteFile(event, []byte(`{"action":"synchronize","pull_request":{"number":12}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	h.env["GITHUB_EVENT_PATH"] = event
	h.env["GITHUB_ACTIONS"] = "true" // the emulator's token is a workflow's GITHUB_TOKEN: its comments are github-actions[bot]'s
	planFile := filepath.Join(t.TempDir(), "release.tfplan")

	var seen []string // every output, labelled
	defer func() { searchSecrets(t, h, secrets, seen, planFile, summary) }()
	run := func(want int, args ...string) {
		t.Helper()
		all := append([]string{"--var", "deploy_token=" + secretVarFlag}, args...)
		code, out, errOut := h.relctl(all...)
		seen = append(seen, "stdout of relctl "+strings.Join(args, " ")+"\n"+out, "stderr of relctl "+strings.Join(args, " ")+"\n"+errOut)
		if want >= 0 && code != want {
			t.Fatalf("relctl %s exited %d, want %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), code, want, out, errOut)
		}
	}

	// Sensitive values used wrongly: each is refused, and the refusal does
	// not quote the value, in any command.
	misuses := map[string]string{
		"in the tag":                    `release { tag = "${chart.name}-${var.deploy_token}" }`,
		"in the title":                  `release { title = "${chart.name} ${var.api_key}" }`,
		"in the notes":                  `release { notes_template = "token: ${env("DEPLOY_SECRET")}" }`,
		"as an asset name":              `release { assets = [var.deploy_token] }`,
		"as a boolean":                  `release { atomic = var.api_key }`,
		"in a function that fails":      "release { lineage = tonumber(var.deploy_token) > 0 }",
		"in a failing env() conversion": `release { lineage = tobool(env("DEPLOY_SECRET")) }`,
	}
	for what, misuse := range misuses {
		h.write("relctl.hcl", secretsSpec(h, misuse))
		for _, cmd := range [][]string{{"validate"}, {"validate", "--json"}, {"plan", "--json"}, {"apply", "--auto-approve"}} {
			code, out, errOut := h.relctl(append([]string{"--var", "deploy_token=" + secretVarFlag}, cmd...)...)
			if code != exitError {
				t.Errorf("a sensitive value %s: relctl %s exited %d, want 1\n%s%s", what, strings.Join(cmd, " "), code, out, errOut)
			}
			seen = append(seen, fmt.Sprintf("relctl %s with a sensitive value %s\n%s\n%s", strings.Join(cmd, " "), what, out, errOut))
		}
	}
	// A variables file holding a secret of the wrong type: its line is
	// quoted in the snippet of the error.
	h.write("relctl.hcl", secretsSpec(h, ""))
	h.write("secret.tfvars", "api_key = [\""+secretVarEnv+"\"]\n")
	run(exitError, "--var-file", filepath.Join(h.dir, "secret.tfvars"), "validate")
	run(exitError, "--var-file", filepath.Join(h.dir, "secret.tfvars"), "validate", "--json")
	if err := os.Remove(filepath.Join(h.dir, "secret.tfvars")); err != nil {
		t.Fatal(err)
	}
	if n := len(h.releases()); n != 0 {
		t.Fatalf("%d releases exist after refused specs", n)
	}

	// The whole cycle, with the secrets used as they should be.
	run(exitOK, "validate")
	run(exitOK, "validate", "--json")
	run(exitOK, "plan", "--json")
	run(exitOK, "plan", "--comment")
	run(exitOK, "plan", "--out", planFile)
	run(exitOK, "show", planFile)
	run(exitOK, "show", "--json", planFile)
	run(exitOK, "show", "--markdown", planFile)
	run(exitOK, "apply", planFile)
	run(exitOK, "plan", "--detailed-exitcode")
	run(exitOK, "drift")
	run(exitOK, "drift", "--json")
	run(exitOK, "verify")
	rels := h.releases()
	if len(rels) != 2 || rels[0].Draft || rels[1].Draft {
		t.Fatalf("after apply: want two published releases, got %+v", rels)
	}

	// Drift, so that an issue is opened and a plan comment changes.
	var readme int64
	for _, a := range h.releasesFor("alpha-v1.0.0")[0].Assets {
		if a.Name == "README.md" {
			readme = a.ID
		}
	}
	req, _ := http.NewRequest(http.MethodDelete, fmt.Sprintf("%srepos/acme/charts/releases/assets/%d", h.gh.URL(), readme), nil)
	req.Header.Set("Authorization", "Bearer "+secretGitHubToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("delete asset: %v %v", resp, err)
	}
	resp.Body.Close()
	run(exitChanges, "drift", "--issue")
	run(exitChanges, "drift", "--markdown")
	run(-1, "plan", "--comment")
	run(-1, "plan", "--markdown")
	if n := len(h.gh.Issues("acme", "charts")); n != 1 {
		t.Fatalf("drift --issue opened %d issues, want 1", n)
	}
	if n := len(h.gh.Comments("acme", "charts", 12)); n != 1 {
		t.Fatalf("plan --comment left %d comments, want 1", n)
	}

	// Everything relctl wrote or published is searched at the end, and
	// also when the test stops early: a leak is worth knowing either way.
}

// searchSecrets looks for every secret in everything relctl printed, saved
// or published.
func searchSecrets(t *testing.T, h *harness, secrets map[string]string, seen []string, files ...string) {
	for _, path := range files {
		b, err := os.ReadFile(path)
		if err != nil {
			continue // not written (yet): nothing to leak
		}
		seen = append(seen, filepath.Base(path)+"\n"+string(b))
	}
	for _, r := range h.releases() {
		seen = append(seen, "release "+r.TagName+": "+r.Name+"\n"+r.Body)
		for _, a := range r.Assets {
			seen = append(seen, "asset "+a.Name+" of "+r.TagName+"\n"+string(a.Data))
		}
	}
	for _, c := range h.gh.Comments("acme", "charts", 12) {
		seen = append(seen, "comment on #12\n"+c)
	}
	for _, is := range h.gh.Issues("acme", "charts") {
		seen = append(seen, "issue "+is.Title+"\n"+is.Body+"\n"+strings.Join(is.Comments, "\n"))
	}
	found := 0
	for _, text := range seen {
		for name, secret := range secrets {
			if strings.Contains(text, secret) {
				found++
				where, _, _ := strings.Cut(text, "\n")
				t.Errorf("the secret of %s appears in %s", name, where)
			}
		}
	}
	t.Logf("searched %d outputs for %d secrets: %d found", len(seen), len(secrets), found)
}
