package ci

import (
	"context"
	"fmt"
	"strings"

	"github.com/relctl/relctl/state"
)

// PlanCommentMarker opens relctl's plan comment on a pull request, so that
// every push edits the one comment instead of adding another.
const PlanCommentMarker = "<!-- relctl:plan -->"

// CommentWriter keeps comments on issues and pull requests.
type CommentWriter interface {
	ListComments(ctx context.Context, number int) ([]state.Comment, error)
	CreateComment(ctx context.Context, number int, body string) error
	UpdateComment(ctx context.Context, id int64, body string) error
}

// PostPlanComment puts the plan on pull request pr: it edits relctl's
// earlier comment when there is one, else comments. It returns what it did.
func PostPlanComment(ctx context.Context, w CommentWriter, pr int, plan string) (string, error) {
	body := PlanCommentMarker + "\n" + plan
	cs, err := w.ListComments(ctx, pr)
	if err != nil {
		return "", err
	}
	for _, c := range cs {
		if !strings.HasPrefix(c.Body, PlanCommentMarker) {
			continue
		}
		if c.Body == body {
			return fmt.Sprintf("the plan comment on #%d is current", pr), nil
		}
		if err := w.UpdateComment(ctx, c.ID, body); err != nil {
			return "", err
		}
		return fmt.Sprintf("updated the plan comment on #%d", pr), nil
	}
	if err := w.CreateComment(ctx, pr, body); err != nil {
		return "", err
	}
	return fmt.Sprintf("commented the plan on #%d", pr), nil
}
