package ci

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/relctl/relctl/state"
)

// PlanCommentMarker opens relctl's plan comment on a pull request, so that
// every push edits the one comment instead of adding another.
const PlanCommentMarker = "<!-- relctl:plan -->"

// MaxPlanBody is the longest plan PostPlanComment can post: GitHub's
// 65,536-character limit on a comment, less the marker line.
const MaxPlanBody = 65536 - len(PlanCommentMarker) - 1

// ActionsBot is the author GitHub records for what a workflow's
// GITHUB_TOKEN writes.
const ActionsBot = "github-actions[bot]"

// CommentWriter keeps comments on issues and pull requests.
type CommentWriter interface {
	ListComments(ctx context.Context, number int) ([]state.Comment, error)
	CreateComment(ctx context.Context, number int, body string) error
	UpdateComment(ctx context.Context, id int64, body string) error
}

// Identity tells whose token relctl writes with.
type Identity interface {
	// Login is the token's user; an error matching state.ErrUnauthorized
	// when the token has no user (an installation token).
	Login(ctx context.Context) (string, error)
}

// CommentAuthor is the login GitHub records as the author of what relctl
// comments: the token's user, or, for a workflow's GITHUB_TOKEN (whose GET
// /user answers 403), github-actions[bot]. inActions says relctl runs in
// GitHub Actions (GITHUB_ACTIONS=true); outside it, a token without a user
// is an error, since its comments' author cannot be told.
func CommentAuthor(ctx context.Context, id Identity, inActions bool) (string, error) {
	login, err := id.Login(ctx)
	switch {
	case err == nil:
		return login, nil
	case inActions && errors.Is(err, state.ErrUnauthorized):
		return ActionsBot, nil
	}
	return "", fmt.Errorf("cannot tell who the token comments as: %w", err)
}

// PostPlanComment puts the plan on pull request pr: it edits relctl's
// earlier comment when there is one, else comments. relctl's comment is
// one that starts with the marker AND was written by author (see
// CommentAuthor): anyone can paste the marker, and GitHub lets a token with
// write access edit other people's comments, so the marker alone would
// let relctl overwrite a reviewer's words. It returns what it did.
func PostPlanComment(ctx context.Context, w CommentWriter, pr int, plan, author string) (string, error) {
	body := PlanCommentMarker + "\n" + plan
	if author == "" {
		return "", errors.New("plan comment: no author to recognise relctl's earlier comment by")
	}
	if len(plan) > MaxPlanBody {
		return "", fmt.Errorf("the plan is %d characters, over the %d a comment can hold", len(plan), MaxPlanBody)
	}
	cs, err := w.ListComments(ctx, pr)
	if err != nil {
		return "", err
	}
	for _, c := range cs {
		if !strings.HasPrefix(c.Body, PlanCommentMarker) || c.Author != author {
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
