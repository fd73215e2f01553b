package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"strings"
	"testing"
)

// TestE2E_stepSummaryThatCannotBeWrittenIsAWarning: GITHUB_STEP_SUMMARY
// on a full disk (/dev/full answers every write with ENOSPC). The plan
// still succeeds, and says the summary was lost instead of dropping the
// write error.
func TestE2E_stepSummaryThatCannotBeWrittenIsAWarning(t *testing.T) {
	if _, err := os.Stat("/dev/full"); err != nil {
		t.Skip("no /dev/full here")
	}
	h := newHarness(t)
	h.chart("alpha", "1.0.0")
	h.registryOnly("")
	h.env["GITHUB_STEP_SUMMARY"] = "/dev/full"

	code, out, stderr := h.relctl("plan")

	if code != exitOK || !strings.Contains(out, "Plan: 1 to create") {
		t.Fatalf("plan exited %d\nstdout:\n%s\nstderr:\n%s", code, out, stderr)
	}
	if !strings.Contains(stderr, "Warning: step summary not written: ") || !strings.Contains(stderr, "no space left on device") {
		t.Errorf("stderr does not warn that the step summary was lost:\n%s", stderr)
	}
}

// failingWriter refuses every write, as a closed pipe does.
type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("broken pipe") }

// TestE2E_applyJSONThatCannotBeWrittenFailsTheCommand: a script reading
// `apply --json` must not take a lost result for success.
func TestE2E_applyJSONThatCannotBeWrittenFailsTheCommand(t *testing.T) {
	h := newHarness(t)
	h.chart("alpha", "1.0.0")
	h.registryOnly("")
	var stderr bytes.Buffer
	env := &Env{
		Stdin:   strings.NewReader(""),
		Stdout:  failingWriter{},
		Stderr:  &stderr,
		Getenv:  func(k string) string { return h.env[k] },
		Environ: func() []string { return nil },
	}

	code := run(context.Background(), []string{"--chdir", h.dir, "apply", "--auto-approve", "--json"}, env)

	if code != exitError {
		t.Errorf("apply --json with an unwritable stdout exited %d, want 1", code)
	}
	if !strings.Contains(stderr.String(), "write the JSON result: broken pipe") {
		t.Errorf("stderr does not say the JSON was lost:\n%s", stderr.String())
	}
	resolve(t, h.reg, "alpha", "1.0.0") // the apply itself happened
}
