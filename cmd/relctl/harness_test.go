package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/relctl/relctl/providers/github/githubtest"
	"github.com/relctl/relctl/providers/oci/ocitest"
)

// harness runs relctl commands in-process against a real registry and the
// GitHub emulator on loopback.
type harness struct {
	t   testing.TB
	dir string
	reg *ocitest.Server
	gh  *githubtest.Server
	env map[string]string
}

const testToken = "ghs_testtoken0123456789"

func newHarness(t testing.TB) *harness {
	t.Helper()
	reg, err := ocitest.Start(context.Background(), ocitest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { reg.Close() })
	gh, err := githubtest.Start(githubtest.Options{Token: testToken})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(gh.Close)
	gh.AddRepo("acme", "charts")
	home := t.TempDir()
	h := &harness{t: t, dir: t.TempDir(), reg: reg, gh: gh, env: map[string]string{
		"GITHUB_API_URL":    gh.URL(),
		"GITHUB_TOKEN":      testToken,
		"SOURCE_DATE_EPOCH": "1700000000",
		"HOME":              home,
		"DOCKER_CONFIG":     filepath.Join(home, ".docker"),
		"TUF_ROOT":          filepath.Join(home, ".sigstore"),
		// No test reads or writes the user's dependency cache or helm
		// repositories.
		"RELCTL_CACHE_DIR":       filepath.Join(home, ".cache", "relctl"),
		"HELM_REPOSITORY_CONFIG": filepath.Join(home, ".config", "helm", "repositories.yaml"),
	}}
	return h
}

// relctl runs one command and returns its exit code and output.
func (h *harness) relctl(args ...string) (int, string, string) {
	h.t.Helper()
	return relctlAt(h, false, "", args...)
}

// relctlAt runs one command as h.relctl does, but with a terminal (or not)
// and the given stdin: what a person at a shell would see.
func relctlAt(h *harness, terminal bool, stdin string, args ...string) (int, string, string) {
	h.t.Helper()
	return relctlCtx(context.Background(), h, terminal, stdin, args...)
}

// relctlCtx runs one command under ctx: cancelling it is how a test kills
// relctl halfway.
func relctlCtx(ctx context.Context, h *harness, terminal bool, stdin string, args ...string) (int, string, string) {
	h.t.Helper()
	var stdout, stderr bytes.Buffer
	env := &Env{
		Stdin:  strings.NewReader(stdin),
		Stdout: &stdout,
		Stderr: &stderr,
		Getenv: func(k string) string { return h.env[k] },
		Environ: func() []string {
			var out []string
			for k, v := range h.env {
				out = append(out, k+"="+v)
			}
			return out
		},
		IsTerminal: terminal,
	}
	code := run(ctx, append([]string{"--chdir", h.dir}, args...), env)
	return code, stdout.String(), stderr.String()
}

// mustRelctl runs a command that must exit with want.
func (h *harness) mustRelctl(want int, args ...string) string {
	h.t.Helper()
	code, out, errOut := h.relctl(args...)
	if code != want {
		h.t.Fatalf("relctl %s exited %d, want %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), code, want, out, errOut)
	}
	return out
}

func (h *harness) write(rel, content string) {
	h.t.Helper()
	path := filepath.Join(h.dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		h.t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		h.t.Fatal(err)
	}
}

// chart writes a small chart under charts/<name>.
func (h *harness) chart(name, version string) {
	h.write("charts/"+name+"/Chart.yaml", fmt.Sprintf("apiVersion: v2\nname: %s\ndescription: the %s chart\nversion: %s\nappVersion: \"1.0\"\n", name, name, version))
	h.write("charts/"+name+"/values.yaml", "replicas: 1\n")
	h.write("charts/"+name+"/templates/configmap.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-"+name+"\ndata:\n  replicas: \"{{ .Values.replicas }}\"\n")
	h.write("charts/"+name+"/README.md", "# "+name+"\n")
	h.write("charts/"+name+"/CHANGELOG.md", "# Changelog\n\n## ["+version+"]\n\n- Release "+version+".\n")
}

// registryOnly is a spec that publishes to the registry alone.
func (h *harness) registryOnly(extra string) {
	h.write("relctl.hcl", fmt.Sprintf(`registry {
  repository = "%s/acme/charts"
%s}

charts {
  dir = "charts"
}
`, h.reg.Host, extra))
}

// full is a spec that publishes to the registry and GitHub releases.
func (h *harness) full(registryExtra, githubExtra, rest string) {
	h.write("relctl.hcl", fmt.Sprintf(`registry {
  repository = "%s/acme/charts"
%s}

github {
  repository = "acme/charts"
%s}

charts {
  dir = "charts"
}
%s`, h.reg.Host, registryExtra, githubExtra, rest))
}
