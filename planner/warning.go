package planner

import "fmt"

// Warning is something a user should read that changes nothing: an
// optional asset missing, a file GitHub will rename, a chart published
// unsigned if signing fails. Plans of large monorepos repeat the same
// warning for hundreds of charts, so each carries its kind apart from its
// chart, and views group them instead of parsing the sentences.
type Warning struct {
	// Kind says what the warning says without naming the chart; warnings
	// of one kind differ only in their chart ("optional asset CHANGELOG.md
	// missing"). "" when unknown (a plan saved by an older relctl).
	Kind string
	// Chart is the chart concerned; "" for a warning about the whole plan.
	Chart string
	// Message is the whole warning, naming the chart.
	Message string
}

func (w Warning) String() string { return w.Message }

// chartWarning is a warning of the given kind about one chart, whose
// message is the chart's name, a colon and the formatted detail.
func chartWarning(chart, kind, format string, args ...any) Warning {
	return Warning{Kind: kind, Chart: chart, Message: chart + ": " + fmt.Sprintf(format, args...)}
}

// WarningMessages are the warnings' messages, in order: the form of the
// JSON format's "warnings" list.
func WarningMessages(ws []Warning) []string {
	out := make([]string, len(ws))
	for i, w := range ws {
		out[i] = w.Message
	}
	return out
}

// readWarnings rebuilds a saved plan's warnings: from their details when
// the plan has them, else (a plan saved before they existed) from the
// messages alone, each its own kind.
func readWarnings(messages []string, details []jsonWarning) []Warning {
	if len(details) == len(messages) && len(details) > 0 {
		out := make([]Warning, len(details))
		for i, d := range details {
			out[i] = Warning(d)
		}
		return out
	}
	var out []Warning
	for _, m := range messages {
		out = append(out, Warning{Message: m})
	}
	return out
}
