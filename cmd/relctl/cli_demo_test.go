package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
)

func TestCLI_demoRunsTheWholeCycleOnThisMachine(t *testing.T) {
	home := t.TempDir()
	vars := map[string]string{
		"HOME":          home,
		"DOCKER_CONFIG": filepath.Join(home, ".docker"),
		"TUF_ROOT":      filepath.Join(home, ".sigstore"),
		// The demo must not use a token or API of the calling shell.
		"GITHUB_API_URL": "http://127.0.0.1:1/",
		"GITHUB_TOKEN":   "ghs_fromtheshell",
	}
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"demo", "--no-color"}, &Env{
		Stdin:  strings.NewReader(""),
		Stdout: &stdout,
		Stderr: &stderr,
		Getenv: func(k string) string { return vars[k] },
		Environ: func() []string {
			var out []string
			for k, v := range vars {
				out = append(out, k+"="+v)
			}
			return out
		},
	})
	out := stdout.String()
	if code != exitOK {
		t.Fatalf("demo exited %d\nstdout:\n%s\nstderr:\n%s", code, out, stderr.String())
	}
	for _, want := range []string{
		"No changes. Published charts match relctl.hcl.",
		"is blocked",
		"Writes during that run: registry 0, GitHub 0.",
		"podinfo-v1.2.1",
		"(downloads, digest matches)",
		"Demo complete.",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("demo output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "\x1b[") {
		t.Errorf("demo --no-color has ANSI escapes")
	}
	if strings.Contains(out+stderr.String(), "ghs_fromtheshell") {
		t.Errorf("the shell's token appears in the demo output")
	}
}
