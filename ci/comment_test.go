package ci

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/relctl/relctl/providers/github"
	"github.com/relctl/relctl/providers/github/githubtest"
)

// pullRequest starts the GitHub emulator with pull request #12 of
// acme/charts; login is the identity behind the token (a personal token's
// user, or github-actions[bot] for a workflow's GITHUB_TOKEN).
func pullRequest(t *testing.T, login string) (*githubtest.Server, *github.Client) {
	t.Helper()
	srv, err := githubtest.Start(githubtest.Options{Token: "t0ken", Login: login})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	srv.AddRepo("acme", "charts")
	srv.SeedPull("acme", "charts", "abc", 12, "Bump alpha")
	c, err := github.New(github.Options{APIURL: srv.URL(), Token: "t0ken", Owner: "acme", Repo: "charts"})
	if err != nil {
		t.Fatal(err)
	}
	return srv, c
}

func TestPostPlanComment_leavesAMarkerCommentSomeoneElseWroteAndKeepsItsOwn(t *testing.T) {
	for _, tc := range []struct {
		name, login string
		inActions   bool
	}{
		{"personal token", "release-bot", false},
		{"GITHUB_TOKEN in Actions", "github-actions[bot]", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			srv, c := pullRequest(t, tc.login)
			// A reviewer quotes relctl's comment, marker included.
			forged := PlanCommentMarker + "\nI think this plan is wrong."
			srv.SeedCommentBy("acme", "charts", 12, "mallory", forged)

			author, err := CommentAuthor(ctx, c, tc.inActions)
			if err != nil || author != tc.login {
				t.Fatalf("CommentAuthor = %q, %v; want %q", author, err, tc.login)
			}
			did, err := PostPlanComment(ctx, c, 12, "plan one", author)
			if err != nil || did != "commented the plan on #12" {
				t.Fatalf("first post: %q, %v; want a new comment beside mallory's", did, err)
			}
			did, err = PostPlanComment(ctx, c, 12, "plan two", author)
			if err != nil || did != "updated the plan comment on #12" {
				t.Fatalf("second post: %q, %v; want relctl's own comment edited", did, err)
			}
			want := []string{forged, PlanCommentMarker + "\nplan two"}
			if diff := cmp.Diff(want, srv.Comments("acme", "charts", 12)); diff != "" {
				t.Errorf("comments on #12 (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff([]string{"mallory", tc.login}, srv.CommentAuthors("acme", "charts", 12)); diff != "" {
				t.Errorf("authors (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCommentAuthor_aTokenWithoutAUserOutsideActionsIsAnError(t *testing.T) {
	_, c := pullRequest(t, "github-actions[bot]")
	_, err := CommentAuthor(context.Background(), c, false)
	if err == nil || !strings.Contains(err.Error(), "Resource not accessible by integration") {
		t.Fatalf("err = %v; want the 403 explained", err)
	}
}

func TestPostPlanComment_refusesAPlanOverTheCommentLimit(t *testing.T) {
	_, c := pullRequest(t, "release-bot")
	_, err := PostPlanComment(context.Background(), c, 12, strings.Repeat("x", MaxPlanBody+1), "release-bot")
	if err == nil {
		t.Fatal("a plan over GitHub's limit was posted")
	}
}
