package views

import (
	"fmt"
	"strings"
)

// MaxComment is GitHub's limit on an issue or pull-request comment body, in
// characters.
const MaxComment = 65536

// MaxStepSummary is GitHub Actions' limit on a step summary: over 1 MiB the
// runner drops the whole summary (actions/runner FileCommandManager.cs).
const MaxStepSummary = 1 << 20

// cutNoteRoom is kept free for the line saying what was cut.
const cutNoteRoom = 320

// page builds a Markdown body that stays within a size limit by
// construction, whatever the plan's size: sections are written in order of
// importance, and once a line does not fit, it and everything after it are
// left out, each section still closed (a table stays a table, a <details>
// is closed), and one line at the end says how much was cut.
//
// Sizes are counted in bytes: a byte count is never below GitHub's count
// of characters (or of UTF-16 units), so a body under the limit in bytes is
// under it for GitHub.
type page struct {
	limit   int
	more    string // where to read what was cut
	b       strings.Builder
	full    bool
	omitted map[string]int
	order   []string
}

// newPage starts a body of at most limit bytes; more tells the reader where
// to see what a cut leaves out.
func newPage(limit int, more string) *page {
	return &page{limit: limit, more: more, omitted: map[string]int{}}
}

// text writes a block that is kept whole or not at all.
func (pg *page) text(s string) {
	if pg.full || pg.b.Len()+len(s) > pg.limit-cutNoteRoom {
		pg.full = true
		return
	}
	pg.b.WriteString(s)
}

// section writes head, then rows while they fit, then foot. name says
// what a row is ("chart", "change") in the note about what was cut.
func (pg *page) section(name, head string, rows []string, foot string) {
	if len(rows) == 0 {
		return
	}
	budget := pg.limit - cutNoteRoom
	if pg.full || pg.b.Len()+len(head)+len(rows[0])+len(foot) > budget {
		pg.full = true
		pg.cut(name, len(rows))
		return
	}
	pg.b.WriteString(head)
	for i, row := range rows {
		if pg.b.Len()+len(row)+len(foot) > budget {
			pg.full = true
			pg.cut(name, len(rows)-i)
			break
		}
		pg.b.WriteString(row)
	}
	pg.b.WriteString(foot)
}

func (pg *page) cut(name string, n int) {
	if _, ok := pg.omitted[name]; !ok {
		pg.order = append(pg.order, name)
	}
	pg.omitted[name] += n
}

// String is the body, with the note on what was cut when anything was.
func (pg *page) String() string {
	if len(pg.order) == 0 {
		return pg.b.String()
	}
	var parts []string
	for _, name := range pg.order {
		parts = append(parts, plural(pg.omitted[name], name))
	}
	return pg.b.String() + fmt.Sprintf("\n_Cut to stay within GitHub's size limit: %s not shown. %s_\n",
		strings.Join(parts, ", "), pg.more)
}

// plural is "1 chart", "3 charts".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
