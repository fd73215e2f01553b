package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

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

func TestCLI_applyOfASavedPlanAtATerminalDoesNotAsk(t *testing.T) {
	h := newHarness(t)
	h.chart("alpha", "1.0.0")
	h.registryOnly("")
	planFile := filepath.Join(t.TempDir(), "plan.json")
	h.mustRelctl(exitOK, "plan", "--out", planFile)
	// The saved plan is the approval, as with terraform apply PLAN.
	code, out, errOut := relctlAt(h, true, "", "apply", planFile)
	if code != exitOK || strings.Contains(out, "Enter a value") {
		t.Fatalf("apply of a saved plan at a terminal exited %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	resolve(t, h.reg, "alpha", "1.0.0")
}

func TestCLI_applyJSONWithoutAutoApproveIsRefusedAndStdoutStaysJSON(t *testing.T) {
	// A program reading --json cannot answer a prompt: like terraform,
	// relctl refuses --json without --auto-approve or a saved plan.
	h := newHarness(t)
	h.chart("alpha", "1.0.0")
	h.registryOnly("")
	code, out, errOut := relctlAt(h, true, "yes\n", "apply", "--json")
	if code != exitError || !strings.Contains(errOut, "--json needs --auto-approve") {
		t.Fatalf("apply --json without --auto-approve exited %d:\n%s", code, errOut)
	}
	if strings.Contains(out, "Do you want to perform these actions?") {
		t.Fatalf("a prompt was printed on stdout:\n%q", out)
	}
	if w := h.reg.Writes(); w != 0 {
		t.Fatalf("refused apply wrote %d times", w)
	}
	_, out, _ = relctlAt(h, true, "", "apply", "--json", "--auto-approve")
	var v map[string]any
	dec := json.NewDecoder(strings.NewReader(out))
	if err := dec.Decode(&v); err != nil || dec.More() {
		t.Fatalf("apply --json --auto-approve: stdout is not one JSON value (%v):\n%q", err, out)
	}
	if v["format_version"] != "1" || v["success"] != true {
		t.Errorf("apply --json --auto-approve: %v", v)
	}
}
