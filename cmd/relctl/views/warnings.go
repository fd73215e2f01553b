package views

import (
	"fmt"
	"strings"

	"github.com/relctl/relctl/planner"
)

// warningGroup is the warnings of one kind, in the plan's order.
type warningGroup struct {
	kind     string
	warnings []planner.Warning
}

// groupWarnings groups warnings of one kind, in order of first appearance.
// A warning without a kind (from a plan saved by an older relctl) is a
// group of its own.
func groupWarnings(ws []planner.Warning) []warningGroup {
	var groups []warningGroup
	at := map[string]int{}
	for _, w := range ws {
		if i, ok := at[w.Kind]; ok && w.Kind != "" {
			groups[i].warnings = append(groups[i].warnings, w)
			continue
		}
		at[w.Kind] = len(groups)
		groups = append(groups, warningGroup{kind: w.Kind, warnings: []planner.Warning{w}})
	}
	return groups
}

// line renders a group as one sentence: the warning itself when alone,
// else its kind and the charts it concerns, the first maxNames of them
// named ("optional asset CHANGELOG.md missing in 300 charts: a, b, c, …
// and 297 more"); maxNames <= 0 names them all.
func (g warningGroup) line(maxNames int) string {
	if len(g.warnings) == 1 {
		return g.warnings[0].Message
	}
	var charts []string
	for _, w := range g.warnings {
		if w.Chart != "" {
			charts = append(charts, w.Chart)
		}
	}
	if len(charts) == 0 {
		return fmt.Sprintf("%s (%d times)", g.kind, len(g.warnings))
	}
	s := fmt.Sprintf("%s in %d charts: ", g.kind, len(charts))
	if maxNames > 0 && len(charts) > maxNames {
		return s + strings.Join(charts[:maxNames], ", ") + fmt.Sprintf(", … and %d more", len(charts)-maxNames)
	}
	return s + strings.Join(charts, ", ")
}
