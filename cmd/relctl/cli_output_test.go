package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// planJSON is the part of the public plan format a script reads.
type planJSON struct {
	FormatVersion   string `json:"format_version"`
	Applyable       *bool  `json:"applyable"`
	HasChanges      bool   `json:"has_changes"`
	Summary         map[string]int
	ResourceChanges []struct {
		Address string            `json:"address"`
		Actions []string          `json:"actions"`
		Reason  *string           `json:"reason"`
		Before  map[string]string `json:"before"`
		After   map[string]string `json:"after"`
	} `json:"resource_changes"`
}

func decodePlan(t *testing.T, out string) planJSON {
	t.Helper()
	var p planJSON
	dec := json.NewDecoder(strings.NewReader(out))
	if err := dec.Decode(&p); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if dec.More() {
		t.Fatalf("more than one JSON value on stdout:\n%s", out)
	}
	return p
}

func TestCLI_planJSONListsEveryResourceChangeWithoutTheToken(t *testing.T) {
	h := newHarness(t)
	h.chart("alpha", "1.0.0")
	h.full("", "", fastRetry)
	code, out, errOut := h.relctl("plan", "--json")
	if code != exitOK {
		t.Fatalf("plan --json exited %d\n%s", code, errOut)
	}
	if strings.Contains(out+errOut, testToken) {
		t.Fatalf("the GitHub token is in the output:\n%s\n%s", out, errOut)
	}
	p := decodePlan(t, out)
	if p.FormatVersion != "1" || p.Applyable == nil || !*p.Applyable || !p.HasChanges {
		t.Errorf("format_version %q applyable %v has_changes %t", p.FormatVersion, p.Applyable, p.HasChanges)
	}
	byAddr := map[string][]string{}
	for _, c := range p.ResourceChanges {
		if c.Address == "" || len(c.Actions) == 0 || c.Reason == nil || *c.Reason == "" {
			t.Errorf("incomplete resource change %+v", c)
		}
		if c.After == nil {
			t.Errorf("%s: no after", c.Address)
		}
		byAddr[c.Address] = c.Actions
	}
	for _, addr := range []string{"oci_chart.alpha", "github_release.alpha", `github_release_asset.alpha["README.md"]`} {
		if got := byAddr[addr]; !reflect.DeepEqual(got, []string{"create"}) {
			t.Errorf("%s: actions %v, want [create]; all: %v", addr, got, byAddr)
		}
	}
	if p.Summary["create"] != len(byAddr) || p.Summary["blocked"] != 0 {
		t.Errorf("summary %v for %d changes", p.Summary, len(byAddr))
	}
	if !strings.Contains(out, `"before"`) {
		t.Errorf("resource changes carry no before:\n%s", out)
	}
}

func TestCLI_planJSONOfABlockedChangeIsNotApplyable(t *testing.T) {
	h := newHarness(t)
	h.chart("alpha", "1.0.0")
	h.registryOnly("")
	h.mustRelctl(exitOK, "apply", "--auto-approve")
	h.write("charts/alpha/values.yaml", "replicas: 2\n")

	p := decodePlan(t, h.mustRelctl(exitError, "plan", "--json"))
	if p.Applyable == nil || *p.Applyable || p.Summary["blocked"] != 1 {
		t.Fatalf("applyable %v summary %v, want not applyable with 1 blocked", p.Applyable, p.Summary)
	}
	for _, c := range p.ResourceChanges {
		if c.Address == "oci_chart.alpha" {
			if !reflect.DeepEqual(c.Actions, []string{"blocked"}) || c.Before["digest"] == "" || c.Before["digest"] == c.After["digest"] {
				t.Errorf("oci_chart.alpha: actions %v before %v after %v", c.Actions, c.Before, c.After)
			}
			return
		}
	}
	t.Fatalf("no oci_chart.alpha in %+v", p.ResourceChanges)
}

func TestCLI_planMarkdownIsATableAndCautionsWhenBlocked(t *testing.T) {
	h := newHarness(t)
	h.chart("alpha", "1.0.0")
	h.chart("beta", "0.2.0")
	h.registryOnly("")
	out := h.mustRelctl(exitOK, "plan", "--markdown")
	for _, want := range []string{"| | resource | reason |", "| ➕ create | `oci_chart.alpha` |", "`oci_chart.beta`", "relctl plan: 2 to create"} {
		if !strings.Contains(out, want) {
			t.Errorf("plan --markdown lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "CAUTION") {
		t.Errorf("an applyable plan is cautioned:\n%s", out)
	}

	h.mustRelctl(exitOK, "apply", "--auto-approve")
	h.write("charts/beta/values.yaml", "replicas: 2\n")
	out = h.mustRelctl(exitError, "plan", "--markdown")
	for _, want := range []string{"> [!CAUTION]", "1 blocked change(s)", "| ⛔ blocked | `oci_chart.beta` |", "bump the chart version"} {
		if !strings.Contains(out, want) {
			t.Errorf("blocked plan --markdown lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "oci_chart.alpha") {
		t.Errorf("an unchanged chart is listed:\n%s", out)
	}
}

func TestCLI_showJSONOfASavedPlanEqualsPlanJSON(t *testing.T) {
	h := newHarness(t)
	h.chart("alpha", "1.0.0")
	h.chart("beta", "0.2.0")
	h.full("", "", fastRetry)
	planFile := filepath.Join(t.TempDir(), "plan.json")
	planned := decodePlan(t, h.mustRelctl(exitOK, "plan", "--json", "--out", planFile))
	shown := decodePlan(t, h.mustRelctl(exitOK, "show", planFile, "--json"))
	again := decodePlan(t, h.mustRelctl(exitOK, "plan", "--json"))
	if len(planned.ResourceChanges) == 0 {
		t.Fatal("plan has no resource changes")
	}
	if !reflect.DeepEqual(planned, shown) {
		t.Errorf("show --json differs from plan --json:\nplan: %+v\nshow: %+v", planned, shown)
	}
	if !reflect.DeepEqual(planned, again) {
		t.Errorf("two plans of the same inputs differ:\n%+v\n%+v", planned, again)
	}
	saved, err := os.ReadFile(planFile)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(decodePlan(t, string(saved)), planned) {
		t.Errorf("the saved plan file differs from plan --json")
	}
	if md, shownMD := h.mustRelctl(exitOK, "plan", "--markdown"), h.mustRelctl(exitOK, "show", planFile, "--markdown"); md != shownMD {
		t.Errorf("show --markdown differs from plan --markdown:\n%s\n---\n%s", md, shownMD)
	}
}

func TestCLI_applyJSONReportsAppliedAddressesAndPublishedCharts(t *testing.T) {
	h := newHarness(t)
	h.chart("alpha", "1.0.0")
	h.chart("beta", "0.2.0")
	h.full("", "", fastRetry)
	out := h.mustRelctl(exitOK, "apply", "--auto-approve", "--json")
	var res struct {
		FormatVersion string   `json:"format_version"`
		Success       bool     `json:"success"`
		Applied       []string `json:"applied"`
		Failed        []any    `json:"failed"`
		Published     []string `json:"published"`
	}
	dec := json.NewDecoder(strings.NewReader(out))
	if err := dec.Decode(&res); err != nil || dec.More() {
		t.Fatalf("apply --json stdout is not one JSON value (%v):\n%s", err, out)
	}
	if res.FormatVersion != "1" || !res.Success || len(res.Failed) != 0 {
		t.Errorf("result %+v", res)
	}
	applied := strings.Join(res.Applied, " ")
	for _, addr := range []string{"oci_chart.alpha", "oci_chart.beta", "github_release.alpha", "github_release.beta", `github_release_asset.alpha["alpha-1.0.0.tgz"]`} {
		if !strings.Contains(applied, addr) {
			t.Errorf("applied lacks %s: %v", addr, res.Applied)
		}
	}
	if !reflect.DeepEqual(res.Published, []string{"alpha", "beta"}) {
		t.Errorf("published %v, want [alpha beta]", res.Published)
	}

	// Nothing left to do: still one JSON value, successful, empty.
	out = h.mustRelctl(exitOK, "apply", "--auto-approve", "--json")
	res.Applied, res.Published = nil, nil
	if err := json.Unmarshal([]byte(out), &res); err != nil || !res.Success || len(res.Applied) != 0 || len(res.Published) != 0 {
		t.Errorf("apply --json with no changes (%v):\n%s", err, out)
	}
}

func TestCLI_applyJSONOfABlockedPlanReportsFailureAndWritesNothing(t *testing.T) {
	h := newHarness(t)
	h.chart("alpha", "1.0.0")
	h.registryOnly("")
	h.mustRelctl(exitOK, "apply", "--auto-approve")
	h.write("charts/alpha/values.yaml", "replicas: 2\n")
	h.reg.ResetRequests()
	out := h.mustRelctl(exitError, "apply", "--auto-approve", "--json")
	var res struct {
		FormatVersion string   `json:"format_version"`
		Success       *bool    `json:"success"`
		Applied       []string `json:"applied"`
		Error         string   `json:"error"`
	}
	dec := json.NewDecoder(strings.NewReader(out))
	if err := dec.Decode(&res); err != nil || dec.More() {
		t.Fatalf("apply --json of a blocked plan: stdout is not one JSON value (%v):\n%s", err, out)
	}
	if res.FormatVersion != "1" || res.Success == nil || *res.Success || len(res.Applied) != 0 || !strings.Contains(res.Error, "blocked") {
		t.Errorf("apply --json of a blocked plan: %s", out)
	}
	if w := h.reg.Writes(); w != 0 {
		t.Errorf("a blocked apply made %d registry writes", w)
	}
}

func TestCLI_planDetailedExitcodeIs0WithoutChanges2WithChanges1WhenBlocked(t *testing.T) {
	tests := []struct {
		name string
		// after runs once alpha 1.0.0 is published.
		after    func(h *harness)
		args     []string
		wantCode int
	}{
		{"no changes", func(*harness) {}, []string{"--detailed-exitcode"}, exitOK},
		{"changes", func(h *harness) { h.chart("beta", "0.2.0") }, []string{"--detailed-exitcode"}, exitChanges},
		{"changes without the flag", func(h *harness) { h.chart("beta", "0.2.0") }, nil, exitOK},
		{"blocked", func(h *harness) { h.write("charts/alpha/values.yaml", "replicas: 9\n") }, []string{"--detailed-exitcode"}, exitError},
		{"blocked beside a change", func(h *harness) {
			h.chart("beta", "0.2.0")
			h.write("charts/alpha/values.yaml", "replicas: 9\n")
		}, []string{"--detailed-exitcode"}, exitError},
		{"blocked without the flag", func(h *harness) { h.write("charts/alpha/values.yaml", "replicas: 9\n") }, nil, exitError},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			h.chart("alpha", "1.0.0")
			h.registryOnly("")
			h.mustRelctl(exitOK, "apply", "--auto-approve")
			tt.after(h)
			for _, format := range [][]string{nil, {"--json"}, {"--markdown"}} {
				args := append(append([]string{"plan"}, tt.args...), format...)
				if code, out, errOut := h.relctl(args...); code != tt.wantCode {
					t.Errorf("relctl %s exited %d, want %d\n%s\n%s", strings.Join(args, " "), code, tt.wantCode, out, errOut)
				}
			}
		})
	}
}

func TestCLI_planAppendsMarkdownToTheStepSummary(t *testing.T) {
	h := newHarness(t)
	h.chart("alpha", "1.0.0")
	h.registryOnly("")
	summary := filepath.Join(t.TempDir(), "step_summary.md")
	if err := os.WriteFile(summary, []byte("earlier step\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	h.env["GITHUB_STEP_SUMMARY"] = summary
	h.mustRelctl(exitOK, "plan")
	b, err := os.ReadFile(summary)
	if err != nil {
		t.Fatal(err)
	}
	got := string(b)
	if !strings.HasPrefix(got, "earlier step\n") {
		t.Errorf("the earlier summary was not kept:\n%s", got)
	}
	for _, want := range []string{"### relctl plan: 1 to create, 0 to update, 0 to replace, 0 blocked", "`oci_chart.alpha`"} {
		if !strings.Contains(got, want) {
			t.Errorf("step summary lacks %q:\n%s", want, got)
		}
	}

	h.mustRelctl(exitOK, "apply", "--auto-approve")
	h.mustRelctl(exitOK, "plan", "--json")
	b, _ = os.ReadFile(summary)
	if got := string(b); !strings.Contains(got, "### relctl plan: no changes") || strings.Count(got, "### relctl") != 3 {
		t.Errorf("apply and a second plan did not append their own summaries:\n%s", got)
	}
	// apply's summary lists what it published.
	if got := string(b); !strings.Contains(got, "### relctl apply: 1 chart(s) published") || !strings.Contains(got, "/acme/charts/alpha:1.0.0@sha256:") || !strings.Contains(got, "✅ published") {
		t.Errorf("apply's step summary:\n%s", got)
	}

	// A blocked plan fails the step, and the summary says why.
	h.write("charts/alpha/values.yaml", "replicas: 2\n")
	h.mustRelctl(exitError, "plan")
	b, _ = os.ReadFile(summary)
	if got := string(b); strings.Count(got, "### relctl") != 4 || !strings.Contains(got, "[!CAUTION]") || !strings.Contains(got, "`oci_chart.alpha`") {
		t.Errorf("a blocked plan's summary:\n%s", got)
	}
}
