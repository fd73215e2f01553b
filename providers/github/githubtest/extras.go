package githubtest

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
)

// listCommitPulls answers GET /repos/{owner}/{repo}/commits/{sha}/pulls with
// the pull requests seeded by SeedPull. The emulator has no git history, so
// an unknown commit gives an empty list rather than GitHub's 422.
func listCommitPulls(c *call) {
	sha := strings.ToLower(c.params["commit_sha"])
	pulls := c.repo.pulls[sha]
	out := make([]map[string]any, 0, len(pulls))
	for _, p := range pulls {
		n := itoa(int64(p.Number))
		out = append(out, map[string]any{
			"url":              c.apiBase + "repos/" + repoPath(c.repo) + "/pulls/" + n,
			"id":               int64(p.Number) + 1000,
			"node_id":          nodeID("PR", int64(p.Number)),
			"html_url":         c.webBase + repoPath(c.repo) + "/pull/" + n,
			"number":           p.Number,
			"state":            "closed",
			"title":            "Pull request #" + n,
			"body":             nullable(p.Body),
			"user":             c.user(),
			"merge_commit_sha": sha,
		})
	}
	c.writeJSON(http.StatusOK, paginate(c, out, "commits/"+sha+"/pulls"))
}

// listIssueComments answers GET /repos/{owner}/{repo}/issues/{n}/comments
// with the comments seeded by SeedComment, oldest first, paginated.
func listIssueComments(c *call) {
	n, ok := c.idParam("issue_number")
	if !ok {
		return
	}
	comments := c.repo.comments[int(n)]
	out := make([]map[string]any, 0, len(comments))
	for i, cm := range comments {
		id := n*1000 + int64(i) + 1
		out = append(out, map[string]any{
			"id":       id,
			"node_id":  nodeID("IC", id),
			"url":      c.apiBase + "repos/" + repoPath(c.repo) + "/issues/comments/" + itoa(id),
			"html_url": c.webBase + repoPath(c.repo) + "/pull/" + itoa(n) + "#issuecomment-" + itoa(id),
			"body":     cm.Body,
			"user":     c.userFor(cm.Author),
		})
	}
	c.writeJSON(http.StatusOK, paginate(c, out, "issues/"+itoa(n)+"/comments"))
}

// listAttestations answers GET /repos/{owner}/{repo}/attestations/{digest}
// with {"attestations":[{"bundle":…,"repository_id":…}]} (NOTES.md). With
// none stored it answers 404, which is how GitHub reports "no attestations"
// and what the GitHub CLI treats as such.
func listAttestations(c *call) {
	bundles := c.repo.attestations[c.params["subject_digest"]]
	if len(bundles) == 0 {
		c.notFound(c.rt.doc)
		return
	}
	type attestation struct {
		Bundle       json.RawMessage `json:"bundle"`
		RepositoryID int64           `json:"repository_id"`
	}
	out := make([]attestation, 0, len(bundles))
	for _, b := range bundles {
		out = append(out, attestation{Bundle: b, RepositoryID: c.repo.id})
	}
	c.writeJSON(http.StatusOK, map[string]any{"attestations": out})
}

var labelColor = regexp.MustCompile(`^[0-9a-fA-F]{6}$`)

// createLabel is the minimal POST /repos/{owner}/{repo}/labels needed to
// replay errors.json: GitHub's 422 validation shape for a bad color.
func createLabel(c *call) {
	var in struct {
		Name        string `json:"name"`
		Color       string `json:"color"`
		Description string `json:"description"`
	}
	if err := json.Unmarshal(c.body, &in); err != nil {
		c.badJSON()
		return
	}
	color := strings.TrimPrefix(in.Color, "#")
	switch {
	case in.Name == "":
		c.invalid(fieldError{Resource: "Label", Code: "missing_field", Field: "name"})
		return
	case color != "" && !labelColor.MatchString(color):
		c.invalid(fieldError{Resource: "Label", Code: "invalid", Field: "color"})
		return
	}
	key := strings.ToLower(in.Name)
	if _, ok := c.repo.labels[key]; ok {
		c.invalid(fieldError{Resource: "Label", Code: "already_exists", Field: "name"})
		return
	}
	if color == "" {
		color = "ededed"
	}
	l := label{ID: allocate(&c.s.nextLabel, 0), Name: in.Name, Color: strings.ToLower(color), Description: in.Description}
	c.repo.labels[key] = l
	c.writeJSON(http.StatusCreated, map[string]any{
		"id":          l.ID,
		"node_id":     nodeID("LA", l.ID),
		"url":         c.apiBase + "repos/" + repoPath(c.repo) + "/labels/" + in.Name,
		"name":        l.Name,
		"color":       l.Color,
		"default":     false,
		"description": nullable(l.Description),
	})
}
