package githubtest

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/google/go-github/v62/github"
)

// GitHub keeps who wrote each comment, and an edit by someone with write
// access does not change it: the author is what tells relctl's comment
// from a copy of it.
func TestIssueComments_keepTheirAuthorThroughAnotherUsersEdit(t *testing.T) {
	s, gh := startServer(t, Options{Login: "release-bot"})
	s.SeedPull("acme", "charts", "abc", 12, "")
	s.SeedCommentBy("acme", "charts", 12, "mallory", "hers")
	ctx := context.Background()
	mine := "mine"
	if _, _, err := gh.Issues.CreateComment(ctx, "acme", "charts", 12, &github.IssueComment{Body: &mine}); err != nil {
		t.Fatal(err)
	}
	cs, _, err := gh.Issues.ListComments(ctx, "acme", "charts", 12, nil)
	if err != nil || len(cs) != 2 {
		t.Fatalf("comments = %v, %v", cs, err)
	}
	if cs[0].GetUser().GetLogin() != "mallory" || cs[1].GetUser().GetLogin() != "release-bot" {
		t.Errorf("authors = %q, %q; want mallory, release-bot", cs[0].GetUser().GetLogin(), cs[1].GetUser().GetLogin())
	}
	edit := "edited by the bot"
	got, _, err := gh.Issues.EditComment(ctx, "acme", "charts", cs[0].GetID(), &github.IssueComment{Body: &edit})
	if err != nil || got.GetUser().GetLogin() != "mallory" {
		t.Errorf("after an edit by release-bot: author %q, %v; want mallory still", got.GetUser().GetLogin(), err)
	}
}

func TestGetAuthenticatedUser_answersAPersonalTokenAnd403sAnInstallationToken(t *testing.T) {
	_, gh := startServer(t, Options{Login: "release-bot"})
	u, _, err := gh.Users.Get(context.Background(), "")
	if err != nil || u.GetLogin() != "release-bot" {
		t.Errorf("personal token: %q, %v", u.GetLogin(), err)
	}
	_, bot := startServer(t, Options{})
	_, resp, err := bot.Users.Get(context.Background(), "")
	var er *github.ErrorResponse
	if !errors.As(err, &er) || resp.StatusCode != http.StatusForbidden || er.Message != "Resource not accessible by integration" {
		t.Errorf("GITHUB_TOKEN: %v; want 403 Resource not accessible by integration", err)
	}
}
