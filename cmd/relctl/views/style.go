package views

import "github.com/relctl/relctl/planner"

// Style switches ANSI colour on or off.
type Style struct{ Color bool }

const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiRed    = "\x1b[31m"
	ansiGreen  = "\x1b[32m"
	ansiYellow = "\x1b[33m"
	ansiMag    = "\x1b[35m"
)

func (s Style) wrap(code, text string) string {
	if !s.Color {
		return text
	}
	return code + text + ansiReset
}

// Bold renders text in bold.
func (s Style) Bold(text string) string { return s.wrap(ansiBold, text) }

// Red renders text in red.
func (s Style) Red(text string) string { return s.wrap(ansiRed, text) }

// Yellow renders text in yellow.
func (s Style) Yellow(text string) string { return s.wrap(ansiYellow, text) }

// Green renders text in green.
func (s Style) Green(text string) string { return s.wrap(ansiGreen, text) }

// symbol is Terraform's marker for an action.
func (s Style) symbol(a planner.Action) string {
	switch a {
	case planner.ActionCreate:
		return s.wrap(ansiGreen, "  +")
	case planner.ActionUpdate:
		return s.wrap(ansiYellow, "  ~")
	case planner.ActionReplace:
		return s.wrap(ansiMag, "-/+")
	case planner.ActionDelete:
		return s.wrap(ansiRed, "  -")
	case planner.ActionBlocked:
		return s.wrap(ansiRed, "  !")
	}
	return "   "
}

// verb is how a change is described in a heading.
func verb(a planner.Action) string {
	switch a {
	case planner.ActionCreate:
		return "will be created"
	case planner.ActionUpdate:
		return "will be updated"
	case planner.ActionReplace:
		return "will be replaced"
	case planner.ActionDelete:
		return "will be deleted"
	case planner.ActionBlocked:
		return "is blocked"
	}
	return "is unchanged"
}
