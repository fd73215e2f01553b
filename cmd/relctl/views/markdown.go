package views

import (
	"fmt"
	"io"
	"strings"

	"github.com/relctl/relctl/planner"
)

// markdownWarningNames is how many charts a grouped warning names in
// Markdown; the terminal names them all.
const markdownWarningNames = 10

// Markdown renders a plan for a pull-request comment within GitHub's
// comment limit (MaxComment). See MarkdownLimit.
func Markdown(w io.Writer, p *planner.ChangeSet) error {
	return MarkdownLimit(w, p, MaxComment)
}

// MarkdownLimit renders a plan in Markdown in at most limit bytes, for a
// pull-request comment or a step summary. In order: the summary line, the
// blocked changes, the warnings grouped by kind, one row per chart that
// changes, then every change. Whatever does not fit is cut from the end,
// with a line saying what was cut.
func MarkdownLimit(w io.Writer, p *planner.ChangeSet, limit int) error {
	pg := newPage(limit, "`relctl plan` prints the whole plan.")
	if !p.HasChanges() {
		pg.text("### relctl plan: no changes\n\nPublished charts match `relctl.hcl`.\n")
		markdownWarnings(pg, p)
		_, err := io.WriteString(w, pg.String())
		return err
	}
	pg.text(fmt.Sprintf("### relctl plan: %s\n", strings.TrimSuffix(strings.TrimPrefix(SummaryLine(p), "Plan: "), ".")))
	if blocked := p.Blocked(); len(blocked) > 0 {
		pg.text(fmt.Sprintf("\n> [!CAUTION]\n> %d blocked change(s): this plan cannot be applied until they are resolved.\n", len(blocked)))
		rows := make([]string, len(blocked))
		for i, c := range blocked {
			rows[i] = fmt.Sprintf("| `%s` | %s |\n", c.Address, mdCell(c.Reason))
		}
		pg.section("blocked change", "\n| blocked | reason |\n|---|---|\n", rows, "")
	}
	markdownWarnings(pg, p)
	rows, unchanged := chartRows(p)
	foot := "\n➕ create · 🔄 update · ♻️ replace · 🗑️ delete · ⛔ blocked · ✓ in sync\n"
	if unchanged > 0 {
		foot = fmt.Sprintf("\n%s unchanged. %s", plural(unchanged, "chart"), foot[1:])
	}
	pg.section("chart", "\n| chart | OCI chart | signature | release | assets |\n|---|:-:|:-:|:-:|---|\n", rows, foot)

	var changes []string
	for _, c := range p.Changes {
		if c.Action != planner.ActionNoOp {
			changes = append(changes, fmt.Sprintf("| %s | `%s` | %s |\n", mdAction(c.Action), c.Address, mdCell(c.Reason)))
		}
	}
	pg.section("change", fmt.Sprintf("\n<details><summary>All %s</summary>\n\n| | resource | reason |\n|---|---|---|\n", plural(len(changes), "change")),
		changes, "\n</details>\n")
	_, err := io.WriteString(w, pg.String())
	return err
}

// markdownWarnings writes the plan's warnings, one line per kind.
func markdownWarnings(pg *page, p *planner.ChangeSet) {
	groups := groupWarnings(p.Warnings)
	rows := make([]string, len(groups))
	for i, g := range groups {
		rows[i] = "> " + mdCell(g.line(markdownWarningNames)) + "\n>\n"
	}
	if len(rows) > 0 {
		rows[len(rows)-1] = strings.TrimSuffix(rows[len(rows)-1], ">\n")
	}
	pg.section("warning", "\n> [!WARNING]\n", rows, "")
}

// chartRows summarises each chart with a change on one row: a symbol per
// resource, and the assets counted by action. unchanged counts the charts
// with nothing to do.
func chartRows(p *planner.ChangeSet) (rows []string, unchanged int) {
	changes := byChart(p)
	for _, chart := range p.Charts() {
		var oci, sig, rel string
		assets := map[planner.Action]int{}
		changed := false
		for _, c := range changes[chart] {
			changed = changed || c.Action != planner.ActionNoOp
			switch c.Type {
			case planner.TypeOCIChart:
				oci = mdSymbol(c.Action)
			case planner.TypeOCISignature:
				sig = mdSymbol(c.Action)
			case planner.TypeRelease:
				rel = mdSymbol(c.Action)
			case planner.TypeReleaseAsset:
				assets[c.Action]++
			}
		}
		if !changed {
			unchanged++
			continue
		}
		var counts []string
		for _, a := range []planner.Action{planner.ActionCreate, planner.ActionUpdate, planner.ActionReplace, planner.ActionDelete, planner.ActionBlocked, planner.ActionNoOp} {
			if n := assets[a]; n > 0 {
				counts = append(counts, fmt.Sprintf("%s %d", mdSymbol(a), n))
			}
		}
		rows = append(rows, fmt.Sprintf("| %s | %s | %s | %s | %s |\n", mdCell(chart), dot(oci), dot(sig), dot(rel), dot(strings.Join(counts, " "))))
	}
	return rows, unchanged
}

// byChart is ChartChanges for every chart at once: asked chart by chart,
// a plan of thousands of charts takes seconds to render.
func byChart(p *planner.ChangeSet) map[string][]planner.Change {
	m := map[string][]planner.Change{}
	for _, c := range p.Changes {
		m[c.Chart] = append(m[c.Chart], c)
	}
	return m
}

func dot(s string) string {
	if s == "" {
		return "·"
	}
	return s
}

func mdSymbol(a planner.Action) string {
	if a == planner.ActionNoOp {
		return "✓"
	}
	s, _, _ := strings.Cut(mdAction(a), " ")
	return s
}

func mdAction(a planner.Action) string {
	switch a {
	case planner.ActionCreate:
		return "➕ create"
	case planner.ActionUpdate:
		return "🔄 update"
	case planner.ActionReplace:
		return "♻️ replace"
	case planner.ActionDelete:
		return "🗑️ delete"
	case planner.ActionBlocked:
		return "⛔ blocked"
	}
	return string(a)
}

// mdCell keeps user-controlled text from breaking the table or injecting
// markup.
func mdCell(s string) string { return cellEscaper.Replace(s) }

var cellEscaper = strings.NewReplacer("|", `\|`, "\n", " ", "<", "&lt;", ">", "&gt;")

// driftPreface opens the drift issue.
const driftPreface = "relctl drift found published charts that no longer match `relctl.hcl`.\n" +
	"`relctl apply` would make these changes; blocked ones need a decision first.\n\n"

// DriftMarkdown renders a drift report for a GitHub issue, within GitHub's
// limit on an issue body: what no longer matches relctl.hcl and what relctl
// apply would do about it.
func DriftMarkdown(w io.Writer, p *planner.ChangeSet) error {
	if _, err := io.WriteString(w, driftPreface); err != nil {
		return err
	}
	return MarkdownLimit(w, p, MaxComment-len(driftPreface))
}
