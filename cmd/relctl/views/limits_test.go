package views

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/relctl/relctl/planner"
)

// monorepo is the plan of n new charts, each with its OCI chart, signature,
// release and four assets, and the warnings a monorepo without changelogs
// or licences gets: two per chart. Every blockedEvery-th chart (0: none)
// is blocked instead.
func monorepo(n, blockedEvery int) *planner.ChangeSet {
	p := &planner.ChangeSet{FormatVersion: planner.FormatVersion, Registry: "ghcr.io/acme/charts", Repository: "acme/charts"}
	for i := range n {
		c := fmt.Sprintf("chart-%04d", i)
		if blockedEvery > 0 && i%blockedEvery == 0 {
			p.Changes = append(p.Changes, planner.Change{Address: "oci_chart." + c, Type: planner.TypeOCIChart, Chart: c, Action: planner.ActionBlocked,
				Reason: "version 1.0.0 is already published with other content (digest sha256:0123456789ab ≠ sha256:ba9876543210): bump the chart version"})
			continue
		}
		add := func(addr string, t planner.ResourceType, reason string) {
			p.Changes = append(p.Changes, planner.Change{Address: addr, Type: t, Chart: c, Action: planner.ActionCreate, Reason: reason})
		}
		add("oci_chart."+c, planner.TypeOCIChart, "tag 1.0.0 absent")
		p.Changes[len(p.Changes)-1].After = map[string]string{"reference": "ghcr.io/acme/charts/" + c + ":1.0.0", "digest": dig1}
		add("oci_signature."+c, planner.TypeOCISignature, "chart not yet in the registry at this digest")
		add("github_release."+c, planner.TypeRelease, "no release for tag "+c+"-v1.0.0; created as a draft, published once every asset is uploaded")
		p.Changes[len(p.Changes)-1].After = map[string]string{"tag": c + "-v1.0.0"}
		for _, a := range []string{c + "-1.0.0.tgz", c + "-1.0.0.tgz.sig", c + "-attestation-lineage.json", "README.md"} {
			add(fmt.Sprintf("github_release_asset.%s[%q]", c, a), planner.TypeReleaseAsset, "asset absent")
		}
		for _, a := range []string{"CHANGELOG.md", "LICENSE"} {
			p.Warnings = append(p.Warnings, planner.Warning{Kind: "optional asset " + a + " missing", Chart: c,
				Message: fmt.Sprintf("%s: optional asset %s not found in charts/%s; the release goes without it", c, a, c)})
		}
	}
	return p
}

func TestMarkdown_aThousandChartsFitOneCommentWithEveryChartAndGroupedWarnings(t *testing.T) {
	p := monorepo(1000, 0)
	out := string(render(t, func(b *bytes.Buffer) error { return Markdown(b, p) }))
	if len(out) > MaxComment {
		t.Fatalf("the comment is %d bytes, over GitHub's %d", len(out), MaxComment)
	}
	for _, want := range []string{
		"### relctl plan: 7000 to create, 0 to update, 0 to replace, 0 blocked\n",
		"> optional asset CHANGELOG.md missing in 1000 charts: chart-0000, chart-0001, chart-0002, chart-0003, chart-0004, chart-0005, chart-0006, chart-0007, chart-0008, chart-0009, … and 990 more\n",
		"> optional asset LICENSE missing in 1000 charts: chart-0000,",
		"| chart-0000 | ➕ | ➕ | ➕ | ➕ 4 |\n",
		"| chart-0999 | ➕ | ➕ | ➕ | ➕ 4 |\n",
		"`relctl plan` prints the whole plan.",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the comment lacks %q", want)
		}
	}
	if n := strings.Count(out, "optional asset"); n != 2 {
		t.Errorf("%d warning lines about optional assets, want 2 (one per kind)", n)
	}
	cut := regexpFind(t, out, `_Cut to stay within GitHub's size limit: (\d+) changes not shown\.`)
	shown := strings.Count(out, "| ➕ create | `")
	if shown+cut != 7000 || shown == 0 {
		t.Errorf("%d change rows shown + %d cut ≠ 7000", shown, cut)
	}
	if strings.Count(out, "<details>") != strings.Count(out, "</details>") {
		t.Error("the cut left a <details> open: the rest of the page would fold into it")
	}
}

func TestMarkdown_cutAppliesToTheWholeBodyEvenWhenEveryChartIsBlocked(t *testing.T) {
	p := monorepo(1000, 1)
	out := string(render(t, func(b *bytes.Buffer) error { return Markdown(b, p) }))
	if len(out) > MaxComment {
		t.Fatalf("the comment is %d bytes, over GitHub's %d", len(out), MaxComment)
	}
	if !strings.Contains(out, "> 1000 blocked change(s)") {
		t.Error("the caution does not count every blocked change")
	}
	if !strings.Contains(out, "blocked changes") || !strings.Contains(out, "charts, ") && !strings.Contains(out, "changes not shown") {
		t.Errorf("the cut note does not say what was cut:\n%s", out[len(out)-300:])
	}
	if strings.Count(out, "<details>") != strings.Count(out, "</details>") {
		t.Error("a <details> was left open")
	}
}

func TestMarkdownLimit_aStepSummaryStaysUnderOneMebibyte(t *testing.T) {
	for _, n := range []int{1000, 5000} {
		p := monorepo(n, 0)
		out := render(t, func(b *bytes.Buffer) error { return MarkdownLimit(b, p, MaxStepSummary) })
		if len(out) > MaxStepSummary {
			t.Errorf("%d charts: the step summary is %d bytes, over %d", n, len(out), MaxStepSummary)
		}
		cutNote := bytes.Contains(out, []byte("_Cut to stay within"))
		if n == 1000 && (cutNote || !bytes.Contains(out, []byte("github_release_asset.chart-0999[\"README.md\"]"))) {
			t.Errorf("1000 charts fit in 1 MiB, yet the summary was cut (%t) or lacks the last change", cutNote)
		}
		if n == 5000 && !cutNote {
			t.Errorf("5000 charts (%d bytes): no cut note", len(out))
		}
	}
}

func TestPlan_terminalGroupsRepeatedWarningsAndNamesEveryChart(t *testing.T) {
	p := monorepo(300, 0)
	out := string(render(t, func(b *bytes.Buffer) error { return Plan(b, p, Style{}) }))
	if n := strings.Count(out, "Warning:"); n != 2 {
		t.Errorf("%d warning lines, want 2 (one per kind)", n)
	}
	if !strings.Contains(out, "Warning: optional asset CHANGELOG.md missing in 300 charts: chart-0000, chart-0001,") || !strings.Contains(out, ", chart-0299\n") {
		t.Error("the grouped warning does not name every chart")
	}
}

func TestApplyMarkdown_staysUnderTheStepSummaryLimit(t *testing.T) {
	p := monorepo(10000, 0)
	res := &planner.Result{}
	for _, c := range p.Charts() {
		res.Published = append(res.Published, c)
	}
	out := render(t, func(b *bytes.Buffer) error { return ApplyMarkdown(b, p, res, "https://github.com") })
	if len(out) > MaxStepSummary || !bytes.Contains(out, []byte("charts not shown. The job's log lists every chart.")) {
		t.Errorf("the apply summary of 10000 charts is %d bytes (limit %d); cut note: %t", len(out), MaxStepSummary, bytes.Contains(out, []byte("not shown")))
	}
}

func regexpFind(t *testing.T, s, expr string) int {
	t.Helper()
	m := regexp.MustCompile(expr).FindStringSubmatch(s)
	if m == nil {
		t.Fatalf("no match for %s", expr)
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// BenchmarkMarkdown_1000Charts renders the comment of a 1,000-chart plan:
// the work `relctl plan --comment` adds to a large monorepo's job.
func BenchmarkMarkdown_1000Charts(b *testing.B) {
	p := monorepo(1000, 0)
	var buf bytes.Buffer
	for b.Loop() {
		buf.Reset()
		if err := Markdown(&buf, p); err != nil {
			b.Fatal(err)
		}
	}
}
