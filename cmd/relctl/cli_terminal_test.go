package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// relctlAt runs one command as h.relctl does, but with a terminal (or not)
// and the given stdin: what a person at a shell would see.
func relctlAt(h *harness, terminal bool, stdin string, args ...string) (int, string, string) {
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
	code := run(context.Background(), append([]string{"--chdir", h.dir}, args...), env)
	return code, stdout.String(), stderr.String()
}

func TestCLI_applyAtATerminalPublishesAfterYes(t *testing.T) {
	h := newHarness(t)
	h.chart("alpha", "1.0.0")
	h.registryOnly("")
	code, out, errOut := relctlAt(h, true, "yes\n", "apply")
	if code != exitOK {
		t.Fatalf("apply answered yes exited %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	if !strings.Contains(out, "Only 'yes' will be accepted") {
		t.Errorf("apply did not ask for confirmation:\n%s", out)
	}
	resolve(t, h.reg, "alpha", "1.0.0")
}

func TestCLI_applyAtATerminalIsCancelledByAnythingButYes(t *testing.T) {
	for name, answer := range map[string]string{"no": "no\n", "y": "y\n", "yes with more": "yes please\n", "end of input": ""} {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t)
			h.chart("alpha", "1.0.0")
			h.registryOnly("")
			h.reg.ResetRequests()
			code, out, errOut := relctlAt(h, true, answer, "apply")
			if code != exitError || !strings.Contains(errOut, "cancelled") {
				t.Fatalf("apply answered %q exited %d\nstdout:\n%s\nstderr:\n%s", answer, code, out, errOut)
			}
			if w := h.reg.Writes(); w != 0 {
				t.Fatalf("a cancelled apply made %d registry writes", w)
			}
		})
	}
}

func TestCLI_colourOnlyAtATerminalAndNeverWithNoColorFlagOrEnv(t *testing.T) {
	h := newHarness(t)
	h.chart("alpha", "1.0.0")
	h.registryOnly("")
	const esc = "\x1b["

	_, out, _ := relctlAt(h, true, "", "plan")
	if !strings.Contains(out, esc) {
		t.Errorf("plan at a terminal has no colour:\n%q", out)
	}
	_, out, _ = relctlAt(h, false, "", "plan")
	if strings.Contains(out, esc) {
		t.Errorf("plan without a terminal has ANSI escapes:\n%q", out)
	}
	_, out, _ = relctlAt(h, true, "", "plan", "--no-color")
	if strings.Contains(out, esc) {
		t.Errorf("plan --no-color at a terminal has ANSI escapes:\n%q", out)
	}
	h.env["NO_COLOR"] = "1"
	_, out, _ = relctlAt(h, true, "", "plan")
	if strings.Contains(out, esc) {
		t.Errorf("plan with NO_COLOR=1 at a terminal has ANSI escapes:\n%q", out)
	}
	// Errors too: the "Error:" prefix on stderr follows the same rule.
	delete(h.env, "NO_COLOR")
	h.write("relctl.hcl", "registry {\n")
	_, _, errOut := relctlAt(h, true, "", "plan", "--no-color")
	if errOut == "" || strings.Contains(errOut, esc) {
		t.Errorf("plan --no-color of a broken spec: stderr %q", errOut)
	}
}
