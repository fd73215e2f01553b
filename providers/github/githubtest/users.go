package githubtest

import (
	"net/http"
	"strings"
)

// comment is an issue or pull-request comment and who wrote it.
type comment struct {
	Body   string
	Author string // login
}

func commentBodies(cs []comment) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.Body
	}
	return out
}

// CommentAuthors returns the logins that wrote the comments of issue or
// pull request number, oldest first.
func (s *Server) CommentAuthors(owner, repo string, number int) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	rp := s.repos[repoKey(owner, repo)]
	if rp == nil {
		return nil
	}
	out := make([]string, 0, len(rp.comments[number]))
	for _, c := range rp.comments[number] {
		out = append(out, c.Author)
	}
	return out
}

// getAuthenticatedUser answers GET /user. A personal token gets its user;
// an installation token (a workflow's GITHUB_TOKEN, a GitHub App's), whose
// identity is a bot, gets 403 "Resource not accessible by integration", as
// GitHub answers it: such a token has no user to show.
func getAuthenticatedUser(c *call) {
	if strings.HasSuffix(c.s.opts.Login, "[bot]") {
		c.fail(http.StatusForbidden, "Resource not accessible by integration", c.rt.doc)
		return
	}
	c.writeJSON(http.StatusOK, c.user())
}
