package views

import (
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"

	"github.com/relctl/relctl/planner"
)

// ApplyMarkdown renders what an apply published, for a GitHub Actions step
// summary: one row per chart it touched, with its OCI artifact, its release
// and whether it is signed. serverURL is GitHub's web root
// ($GITHUB_SERVER_URL, e.g. https://github.com). It stays within
// MaxStepSummary, cutting rows from the end with a line saying so.
func ApplyMarkdown(w io.Writer, p *planner.ChangeSet, res *planner.Result, serverURL string) error {
	b := &strings.Builder{}
	pg := newPage(MaxStepSummary, "The job's log lists every chart.")
	touched := map[string]bool{}
	for _, c := range res.Applied {
		touched[c.Chart] = true
	}
	for _, c := range res.Published {
		touched[c] = true
	}
	for c := range res.Failed {
		touched[c] = true
	}
	switch {
	case len(res.Failed) > 0:
		fmt.Fprintf(b, "### relctl apply failed for %d chart(s)\n\n", len(res.Failed))
	case len(touched) == 0:
		b.WriteString("### relctl apply: no changes\n\nPublished charts match `relctl.hcl`.\n")
		_, err := io.WriteString(w, b.String())
		return err
	default:
		fmt.Fprintf(b, "### relctl apply: %d chart(s) published\n\n", len(touched))
	}
	charts := make([]string, 0, len(touched))
	for c := range touched {
		charts = append(charts, c)
	}
	sort.Strings(charts)
	pg.text(b.String())
	rows := make([]string, 0, len(charts))
	changes := byChart(p)
	for _, chart := range charts {
		var ref, digest, tag, sig string
		for _, c := range changes[chart] {
			switch c.Type {
			case planner.TypeOCIChart:
				ref, digest = c.After["reference"], c.After["digest"]
			case planner.TypeRelease:
				tag = c.After["tag"]
			case planner.TypeOCISignature:
				sig = "signed (" + c.After["mode"] + ")"
			}
		}
		if slices.Contains(res.Unsigned, chart) {
			sig = "⚠️ UNSIGNED"
		} else if sig == "" {
			sig = "not signed (signing.mode = none)"
		}
		release := "—"
		if tag != "" && p.Repository != "" {
			release = fmt.Sprintf("[%s](%s/%s/releases/tag/%s)", tag, strings.TrimSuffix(serverURL, "/"), p.Repository, tag)
		}
		result := "✅ published"
		if err, failed := res.Failed[chart]; failed {
			result = "❌ " + mdCell(err.Error())
		} else if slices.Contains(res.Drafts, chart) {
			result = "⏸️ complete draft, not published (atomic: another chart failed)"
		} else if !slices.Contains(res.Published, chart) && tag != "" {
			result = "✅ updated"
		}
		rows = append(rows, fmt.Sprintf("| %s | `%s@%s` | %s | %s | %s |\n", chart, ref, digest, release, sig, result))
	}
	pg.section("chart", "| chart | OCI artifact | release | signature | result |\n|---|---|---|---|---|\n", rows, "")
	warnings := make([]string, len(res.Warnings))
	for i, w := range res.Warnings {
		warnings[i] = fmt.Sprintf("> [!WARNING]\n> %s\n\n", mdCell(w))
	}
	pg.section("warning", "\n", warnings, "")
	_, err := io.WriteString(w, pg.String())
	return err
}
