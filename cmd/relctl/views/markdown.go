package views

import (
	"fmt"
	"io"
	"strings"

	"github.com/relctl/relctl/planner"
)

// MaxComment is GitHub's limit on a comment's length in characters.
const MaxComment = 65536

// Markdown renders a plan for a pull-request comment or a step summary. It
// stays under GitHub's comment limit, truncating the table when it must.
func Markdown(w io.Writer, p *planner.ChangeSet) error {
	b := &strings.Builder{}
	switch {
	case !p.HasChanges():
		b.WriteString("### relctl plan: no changes\n\nPublished charts match `relctl.hcl`.\n")
	default:
		fmt.Fprintf(b, "### relctl plan: %s\n\n", strings.TrimSuffix(strings.TrimPrefix(SummaryLine(p), "Plan: "), "."))
		if n := len(p.Blocked()); n > 0 {
			fmt.Fprintf(b, "> [!CAUTION]\n> %d blocked change(s): this plan cannot be applied until they are resolved.\n\n", n)
		}
		b.WriteString("| | resource | reason |\n|---|---|---|\n")
	}
	tail := markdownTail(p)
	for i, c := range p.Changes {
		if c.Action == planner.ActionNoOp {
			continue
		}
		row := fmt.Sprintf("| %s | `%s` | %s |\n", mdAction(c.Action), c.Address, mdCell(c.Reason))
		if b.Len()+len(row)+len(tail)+200 > MaxComment {
			fmt.Fprintf(b, "\n_%d more change(s) not shown: the comment would exceed GitHub's limit. Run `relctl plan` for the full plan._\n", countChanges(p.Changes[i:]))
			break
		}
		b.WriteString(row)
	}
	b.WriteString(tail)
	_, err := io.WriteString(w, b.String())
	return err
}

func markdownTail(p *planner.ChangeSet) string {
	if len(p.Warnings) == 0 {
		return ""
	}
	b := &strings.Builder{}
	b.WriteString("\n<details><summary>Warnings</summary>\n\n")
	for _, wmsg := range p.Warnings {
		fmt.Fprintf(b, "- %s\n", mdCell(wmsg))
	}
	b.WriteString("\n</details>\n")
	return b.String()
}

func countChanges(cs []planner.Change) int {
	n := 0
	for _, c := range cs {
		if c.Action != planner.ActionNoOp {
			n++
		}
	}
	return n
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
func mdCell(s string) string {
	r := strings.NewReplacer("|", `\|`, "\n", " ", "<", "&lt;", ">", "&gt;")
	return r.Replace(s)
}

// DriftMarkdown renders a drift report for a GitHub issue: what no longer
// matches relctl.hcl and what relctl apply would do about it.
func DriftMarkdown(w io.Writer, p *planner.ChangeSet) error {
	b := &strings.Builder{}
	b.WriteString("relctl drift found published charts that no longer match `relctl.hcl`.\n")
	b.WriteString("`relctl apply` would make these changes; blocked ones need a decision first.\n\n")
	if _, err := io.WriteString(w, b.String()); err != nil {
		return err
	}
	return Markdown(w, p)
}
