package views

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/relctl/relctl/planner"
)

// Progress prints apply progress as Terraform does. It is a planner.Hook.
type Progress struct {
	W     io.Writer
	Style Style
	// Now is the clock for elapsed times; nil means time.Now.
	Now func() time.Time

	mu      sync.Mutex
	started map[string]time.Time
}

var _ planner.Hook = (*Progress)(nil)

func (p *Progress) now() time.Time {
	if p.Now != nil {
		return p.Now()
	}
	return time.Now()
}

// Start implements planner.Hook.
func (p *Progress) Start(ch planner.Change) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.started == nil {
		p.started = map[string]time.Time{}
	}
	p.started[ch.Address+string(ch.Action)] = p.now()
	fmt.Fprintf(p.W, "%s: %s...\n", ch.Address, gerund(ch.Action))
}

// Done implements planner.Hook.
func (p *Progress) Done(ch planner.Change, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	elapsed := p.now().Sub(p.started[ch.Address+string(ch.Action)]).Round(100 * time.Millisecond)
	if err != nil {
		fmt.Fprintf(p.W, "%s: %s %v\n", ch.Address, p.Style.Red("failed:"), err)
		return
	}
	fmt.Fprintf(p.W, "%s: %s after %s\n", ch.Address, p.Style.Green(noun(ch.Action)+" complete"), elapsed)
}

// Warn implements planner.Hook.
func (p *Progress) Warn(msg string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.W, "%s %s\n", p.Style.Yellow("Warning:"), msg)
}

func gerund(a planner.Action) string {
	switch a {
	case planner.ActionCreate:
		return "Creating"
	case planner.ActionUpdate:
		return "Updating"
	case planner.ActionReplace:
		return "Replacing"
	case planner.ActionDelete:
		return "Deleting"
	case planner.ActionPublish:
		return "Publishing"
	}
	return string(a)
}

func noun(a planner.Action) string {
	switch a {
	case planner.ActionCreate:
		return "Creation"
	case planner.ActionUpdate:
		return "Update"
	case planner.ActionReplace:
		return "Replacement"
	case planner.ActionDelete:
		return "Deletion"
	case planner.ActionPublish:
		return "Publication"
	}
	return string(a)
}

// ApplySummary prints the closing lines of an apply.
func ApplySummary(w io.Writer, res *planner.Result, st Style) {
	var created, updated, replaced int
	for _, c := range res.Applied {
		switch c.Action {
		case planner.ActionCreate:
			created++
		case planner.ActionUpdate:
			updated++
		case planner.ActionReplace:
			replaced++
		}
	}
	if len(res.Failed) > 0 {
		fmt.Fprintf(w, "\n%s Resources: %d created, %d updated, %d replaced before the failure.\n", st.Red(st.Bold("Apply failed!")), created, updated, replaced)
		// Under atomic the publish phase stops at the first failure: say
		// exactly which releases are public and which wait as drafts.
		if len(res.Published) > 0 {
			fmt.Fprintf(w, "Releases published before the failure: %s.\n", strings.Join(sorted(res.Published), ", "))
		}
		if len(res.Drafts) > 0 {
			fmt.Fprintf(w, "Releases left as complete drafts, not published: %s. The next apply publishes them.\n", strings.Join(res.Drafts, ", "))
		}
		return
	}
	fmt.Fprintf(w, "\n%s Resources: %d created, %d updated, %d replaced.", st.Green(st.Bold("Apply complete!")), created, updated, replaced)
	if len(res.Published) > 0 {
		fmt.Fprintf(w, " Releases published: %s.", strings.Join(sorted(res.Published), ", "))
	}
	fmt.Fprintln(w)
	if len(res.Unsigned) > 0 {
		fmt.Fprintf(w, "%s published unsigned: %s\n", st.Yellow("Warning:"), strings.Join(res.Unsigned, ", "))
	}
}

func sorted(s []string) []string {
	out := append([]string(nil), s...)
	sort.Strings(out)
	return out
}

// ApplyJSON writes the apply result in the versioned JSON format.
func ApplyJSON(w io.Writer, res *planner.Result, applyErr error) error {
	type failed struct {
		Chart string `json:"chart"`
		Error string `json:"error"`
	}
	out := struct {
		FormatVersion string   `json:"format_version"`
		Success       bool     `json:"success"`
		Applied       []string `json:"applied"`
		Failed        []failed `json:"failed"`
		Published     []string `json:"published"`
		Drafts        []string `json:"drafts"`
		Unsigned      []string `json:"unsigned"`
		Warnings      []string `json:"warnings"`
		Error         string   `json:"error,omitempty"`
	}{FormatVersion: planner.FormatVersion, Success: applyErr == nil, Applied: []string{}, Failed: []failed{}, Published: []string{}, Drafts: []string{}, Unsigned: []string{}, Warnings: []string{}}
	if res != nil {
		for _, c := range res.Applied {
			out.Applied = append(out.Applied, c.Address)
		}
		for chart, err := range res.Failed {
			out.Failed = append(out.Failed, failed{Chart: chart, Error: err.Error()})
		}
		sort.Slice(out.Failed, func(i, j int) bool { return out.Failed[i].Chart < out.Failed[j].Chart })
		out.Published = append(out.Published, res.Published...)
		sort.Strings(out.Published)
		out.Drafts = append(out.Drafts, res.Drafts...)
		out.Unsigned = append(out.Unsigned, res.Unsigned...)
		out.Warnings = append(out.Warnings, res.Warnings...)
	}
	if applyErr != nil {
		out.Error = applyErr.Error()
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
