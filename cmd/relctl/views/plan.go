package views

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/relctl/relctl/planner"
)

// Plan renders a plan for a terminal, in Terraform's idiom.
func Plan(w io.Writer, p *planner.ChangeSet, st Style) error {
	b := &strings.Builder{}
	changed := 0
	for _, c := range p.Changes {
		if c.Action == planner.ActionNoOp {
			continue
		}
		if changed == 0 {
			fmt.Fprintf(b, "relctl will perform the following actions:\n\n")
		}
		changed++
		fmt.Fprintf(b, "  %s %s\n", st.Bold("# "+c.Address), verb(c.Action))
		fmt.Fprintf(b, "%s %s\n", st.symbol(c.Action), c.Address)
		fmt.Fprintf(b, "      reason: %s\n", c.Reason)
		for _, line := range attrDiff(c) {
			fmt.Fprintf(b, "      %s\n", line)
		}
		b.WriteString("\n")
	}
	// Warnings of one kind are one line naming every chart: a monorepo's
	// 300 missing CHANGELOG.md files are one fact, not 300.
	for _, g := range groupWarnings(p.Warnings) {
		fmt.Fprintf(b, "%s %s\n", st.Yellow("Warning:"), g.line(0))
	}
	if len(p.Warnings) > 0 {
		b.WriteString("\n")
	}
	if !p.HasChanges() {
		fmt.Fprintf(b, "%s Published charts match relctl.hcl.\n", st.Green(st.Bold("No changes.")))
		_, err := io.WriteString(w, b.String())
		return err
	}
	fmt.Fprintf(b, "%s\n", st.Bold(SummaryLine(p)))
	if blocked := p.Blocked(); len(blocked) > 0 {
		fmt.Fprintf(b, "\n%s this plan cannot be applied until its %d blocked change(s) are resolved:\n", st.Red(st.Bold("Error:")), len(blocked))
		for _, c := range blocked {
			fmt.Fprintf(b, "  - %s: %s\n", c.Address, c.Reason)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// SummaryLine is "Plan: 2 to create, 0 to update, 0 to replace, 1 blocked."
func SummaryLine(p *planner.ChangeSet) string {
	s := p.Summary()
	line := fmt.Sprintf("Plan: %d to create, %d to update, %d to replace", s.Create, s.Update, s.Replace)
	if s.Delete > 0 {
		line += fmt.Sprintf(", %d to delete", s.Delete)
	}
	return line + fmt.Sprintf(", %d blocked.", s.Blocked)
}

// shown are the attributes a created resource displays; updates and
// replacements show every attribute that changes. The JSON format has all.
var shown = map[planner.ResourceType][]string{
	planner.TypeOCIChart:            {"reference", "digest", "dependencies"},
	planner.TypeOCISignature:        {"manifest"},
	planner.TypeRelease:             {"tag", "title", "prerelease", "delete_drafts"},
	planner.TypeReleaseAsset:        {"digest", "size"},
	planner.TypeHelmIndexEntry:      {"version", "digest", "url"},
	planner.TypeArtifactHubMetadata: {"reference", "digest", "repository_id"},
	planner.TypeOCIAttestation:      {"manifest", "predicate_type", "statement"},
}

// attrDiff lists the attributes a change sets, with the old value when it
// differs. Release notes are long: they are shown by digest only.
func attrDiff(c planner.Change) []string {
	var keys []string
	if c.Action == planner.ActionCreate || c.Action == planner.ActionBlocked {
		for _, k := range shown[c.Type] {
			if _, ok := c.After[k]; ok {
				keys = append(keys, k)
			}
		}
	} else {
		for k := range c.After {
			if k != "body" && k != "path" && k != "source" && k != "replaces" {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
	}
	width := 0
	for _, k := range keys {
		width = max(width, len(k))
	}
	var out []string
	for _, k := range keys {
		after := abbrev(c.After[k])
		before, had := c.Before[k]
		switch {
		case had && before == c.After[k]:
			continue
		case had:
			out = append(out, fmt.Sprintf("%-*s  %q → %q", width+1, k+":", abbrev(before), after))
		default:
			out = append(out, fmt.Sprintf("%-*s  %q", width+1, k+":", after))
		}
	}
	return out
}

// abbrev shortens a sha256 digest for people: sha256:0123456789ab…
func abbrev(v string) string {
	if strings.HasPrefix(v, "sha256:") && len(v) == 71 {
		return v[:19] + "…"
	}
	return v
}

// Drift renders a drift report: the plan's changes, named as drift, and
// the format of each chart's valid signatures (a chart cosign v3 signed
// carries a bundle where relctl writes the legacy tag).
func Drift(w io.Writer, p *planner.ChangeSet, st Style) error {
	if !p.HasChanges() {
		_, err := fmt.Fprintf(w, "%s Everything published matches relctl.hcl.\n%s", st.Green(st.Bold("No drift.")), signedLines(p))
		return err
	}
	var unsigned, unattested []string
	for _, c := range p.Changes {
		if c.Type == planner.TypeOCISignature && c.Action == planner.ActionCreate && c.Before != nil {
			unsigned = append(unsigned, c.Chart)
		}
		if c.Type == planner.TypeOCIAttestation && c.Action == planner.ActionCreate && c.Before != nil {
			unattested = append(unattested, c.Chart)
		}
	}
	fmt.Fprintf(w, "%s what is published no longer matches relctl.hcl; relctl apply would do this:\n\n", st.Yellow(st.Bold("Drift detected:")))
	for _, chart := range unsigned {
		fmt.Fprintf(w, "%s %s is published WITHOUT a valid signature.\n", st.Red("UNSIGNED:"), chart)
	}
	for _, chart := range unattested {
		fmt.Fprintf(w, "%s %s is published WITHOUT a valid provenance attestation.\n", st.Red("UNATTESTED:"), chart)
	}
	if len(unsigned)+len(unattested) > 0 {
		fmt.Fprintln(w)
	}
	if lines := signedLines(p); lines != "" {
		fmt.Fprintf(w, "%s\n", lines)
	}
	return Plan(w, p, st)
}

// signedLines lists the charts whose signature stands, with the formats
// of their valid signatures, in the plan's (address) order.
func signedLines(p *planner.ChangeSet) string {
	b := &strings.Builder{}
	for _, c := range p.Changes {
		if c.Type == planner.TypeOCISignature && c.Action == planner.ActionNoOp && c.Before["formats"] != "" {
			fmt.Fprintf(b, "Signed: %s (%s)\n", c.Chart, c.Before["formats"])
		}
	}
	return b.String()
}
