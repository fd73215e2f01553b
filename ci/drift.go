package ci

import (
	"context"
	"fmt"

	"github.com/relctl/relctl/state"
)

// DriftLabel marks the issue `relctl drift --issue` keeps.
const DriftLabel = "relctl-drift"

// DriftTitle is that issue's title.
const DriftTitle = "relctl: published charts drifted from relctl.hcl"

// IssueTracker keeps GitHub issues.
type IssueTracker interface {
	OpenIssues(ctx context.Context, label string) ([]state.Issue, error)
	CreateIssue(ctx context.Context, title, body string, labels []string) (state.Issue, error)
	UpdateIssue(ctx context.Context, number int, body string) error
	CloseIssue(ctx context.Context, number int, comment string) error
}

// ReportDrift keeps one open drift issue in step with what a scheduled
// drift check found: while drifted, the open issue (or a new one) carries
// the latest report, so a schedule does not pile up duplicates; once in
// sync, the issue is closed with a comment. It returns what it did.
func ReportDrift(ctx context.Context, t IssueTracker, drifted bool, report string) (string, error) {
	open, err := t.OpenIssues(ctx, DriftLabel)
	if err != nil {
		return "", err
	}
	switch {
	case drifted && len(open) == 0:
		is, err := t.CreateIssue(ctx, DriftTitle, report, []string{DriftLabel})
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("opened issue #%d: %s", is.Number, is.URL), nil
	case drifted:
		if open[0].Body == report {
			return fmt.Sprintf("issue #%d already reports this drift: %s", open[0].Number, open[0].URL), nil
		}
		if err := t.UpdateIssue(ctx, open[0].Number, report); err != nil {
			return "", err
		}
		return fmt.Sprintf("updated issue #%d: %s", open[0].Number, open[0].URL), nil
	case len(open) > 0:
		for _, is := range open {
			if err := t.CloseIssue(ctx, is.Number, "Published charts match relctl.hcl again."); err != nil {
				return "", err
			}
		}
		return fmt.Sprintf("closed issue #%d: no drift", open[0].Number), nil
	}
	return "", nil
}
