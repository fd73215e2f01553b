package githubtest

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
)

// Issue is an issue of the emulated repository: relctl drift --issue opens,
// updates and closes one.
type Issue struct {
	Number      int
	Title, Body string
	// State is "open" or "closed"; StateReason is GitHub's
	// "completed" / "not_planned" once closed.
	State, StateReason string
	Labels             []string
	Comments           []string
}

// Issues returns copies of a repository's issues, in creation order.
func (s *Server) Issues(owner, repo string) []Issue {
	s.mu.Lock()
	defer s.mu.Unlock()
	rp := s.repos[repoKey(owner, repo)]
	if rp == nil {
		return nil
	}
	out := make([]Issue, 0, len(rp.issues))
	for _, is := range rp.issues {
		c := *is
		c.Labels = slices.Clone(is.Labels)
		c.Comments = commentBodies(rp.comments[is.Number])
		out = append(out, c)
	}
	return out
}

func (rp *repository) issue(n int) *Issue {
	for _, is := range rp.issues {
		if is.Number == n {
			return is
		}
	}
	return nil
}

// nextIssueNumber follows GitHub: issues and pull requests share numbers.
func (rp *repository) nextIssueNumber() int {
	n := 0
	for _, prs := range rp.pulls {
		for _, p := range prs {
			n = max(n, p.Number)
		}
	}
	for _, is := range rp.issues {
		n = max(n, is.Number)
	}
	return n + 1
}

func (c *call) renderIssue(is *Issue) map[string]any {
	labels := make([]map[string]any, len(is.Labels))
	for i, l := range is.Labels {
		labels[i] = map[string]any{"name": l}
	}
	n := itoa(int64(is.Number))
	return map[string]any{
		"url":          c.apiBase + "repos/" + repoPath(c.repo) + "/issues/" + n,
		"html_url":     c.webBase + repoPath(c.repo) + "/issues/" + n,
		"id":           int64(is.Number) + 5000,
		"node_id":      nodeID("I", int64(is.Number)),
		"number":       is.Number,
		"title":        is.Title,
		"body":         nullable(is.Body),
		"state":        is.State,
		"state_reason": nullable(is.StateReason),
		"labels":       labels,
		"user":         c.user(),
		"comments":     len(c.repo.comments[is.Number]),
	}
}

// listIssues answers GET /repos/{owner}/{repo}/issues: state (open by
// default, closed, all) and labels (every one named must be on the issue).
func listIssues(c *call) {
	q := c.r.URL.Query()
	state := q.Get("state")
	if state == "" {
		state = "open"
	}
	var want []string
	if l := q.Get("labels"); l != "" {
		want = strings.Split(l, ",")
	}
	out := []map[string]any{}
	// GitHub lists the newest first.
	for i := len(c.repo.issues) - 1; i >= 0; i-- {
		is := c.repo.issues[i]
		if state != "all" && is.State != state {
			continue
		}
		if !containsAll(is.Labels, want) {
			continue
		}
		out = append(out, c.renderIssue(is))
	}
	c.writeJSON(http.StatusOK, paginate(c, out, "issues"))
}

func containsAll(have, want []string) bool {
	for _, w := range want {
		if !slices.Contains(have, strings.TrimSpace(w)) {
			return false
		}
	}
	return true
}

type issueInput struct {
	Title       *string  `json:"title"`
	Body        *string  `json:"body"`
	State       *string  `json:"state"`
	StateReason *string  `json:"state_reason"`
	Labels      []string `json:"labels"`
}

// createIssue answers POST /repos/{owner}/{repo}/issues.
func createIssue(c *call) {
	var in issueInput
	if err := json.Unmarshal(c.body, &in); err != nil {
		c.badJSON()
		return
	}
	if in.Title == nil || *in.Title == "" {
		c.invalid(fieldError{Resource: "Issue", Code: "missing_field", Field: "title"})
		return
	}
	is := &Issue{Number: c.repo.nextIssueNumber(), Title: *in.Title, State: "open", Labels: in.Labels}
	if in.Body != nil {
		is.Body = *in.Body
	}
	c.repo.issues = append(c.repo.issues, is)
	c.writeJSON(http.StatusCreated, c.renderIssue(is))
}

// updateIssue answers PATCH /repos/{owner}/{repo}/issues/{issue_number}.
func updateIssue(c *call) {
	n, ok := c.idParam("issue_number")
	if !ok {
		return
	}
	is := c.repo.issue(int(n))
	if is == nil {
		c.notFound(c.rt.doc)
		return
	}
	var in issueInput
	if err := json.Unmarshal(c.body, &in); err != nil {
		c.badJSON()
		return
	}
	if in.State != nil && *in.State != "open" && *in.State != "closed" {
		c.invalid(fieldError{Resource: "Issue", Code: "invalid", Field: "state"})
		return
	}
	if in.Title != nil {
		is.Title = *in.Title
	}
	if in.Body != nil {
		is.Body = *in.Body
	}
	if in.State != nil {
		is.State, is.StateReason = *in.State, ""
		if is.State == "closed" {
			is.StateReason = "completed"
		}
	}
	if in.StateReason != nil && is.State == "closed" {
		is.StateReason = *in.StateReason
	}
	if in.Labels != nil {
		is.Labels = in.Labels
	}
	c.writeJSON(http.StatusOK, c.renderIssue(is))
}

// createIssueComment answers POST /repos/{owner}/{repo}/issues/{n}/comments.
func createIssueComment(c *call) {
	n, ok := c.idParam("issue_number")
	if !ok {
		return
	}
	if c.repo.issue(int(n)) == nil && !c.repo.hasPull(int(n)) {
		c.notFound(c.rt.doc)
		return
	}
	var in struct {
		Body string `json:"body"`
	}
	if err := json.Unmarshal(c.body, &in); err != nil || in.Body == "" {
		c.invalid(fieldError{Resource: "IssueComment", Code: "missing_field", Field: "body"})
		return
	}
	// GitHub records the token's identity as the author: the login behind a
	// personal token, github-actions[bot] for a workflow's GITHUB_TOKEN.
	c.repo.comments[int(n)] = append(c.repo.comments[int(n)], comment{Body: in.Body, Author: c.s.opts.Login})
	id := n*1000 + int64(len(c.repo.comments[int(n)]))
	c.writeJSON(http.StatusCreated, map[string]any{"id": id, "body": in.Body, "user": c.user()})
}

// hasPull reports whether a pull request with number n was seeded: issue
// comments work on pull requests too.
func (rp *repository) hasPull(n int) bool {
	for _, prs := range rp.pulls {
		for _, p := range prs {
			if p.Number == n {
				return true
			}
		}
	}
	return false
}

// updateIssueComment answers PATCH /repos/{owner}/{repo}/issues/comments/{id}.
// Comment IDs encode the issue number and the comment's position (see
// listIssueComments), so the comment is found without an index.
func updateIssueComment(c *call) {
	id, ok := c.idParam("comment_id")
	if !ok {
		return
	}
	n, i := int(id/1000), int(id%1000)-1
	comments := c.repo.comments[n]
	if i < 0 || i >= len(comments) {
		c.notFound(c.rt.doc)
		return
	}
	var in struct {
		Body string `json:"body"`
	}
	if err := json.Unmarshal(c.body, &in); err != nil || in.Body == "" {
		c.invalid(fieldError{Resource: "IssueComment", Code: "missing_field", Field: "body"})
		return
	}
	// Anyone with write access may edit a comment, and the author stays the
	// one who wrote it: GitHub does not stop a tool from editing another
	// user's comment, so relctl must check the author itself.
	comments[i].Body = in.Body
	c.writeJSON(http.StatusOK, map[string]any{"id": id, "body": in.Body, "user": c.userFor(comments[i].Author)})
}
