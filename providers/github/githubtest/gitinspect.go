package githubtest

import "strings"

// CommitMessage returns the message of a commit made through the Git Data
// API, and false for a sha the emulator holds no commit for.
func (s *Server) CommitMessage(owner, repo, sha string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rp := s.repos[repoKey(owner, repo)]
	if rp == nil {
		return "", false
	}
	c := rp.git.commits[strings.ToLower(sha)]
	if c == nil {
		return "", false
	}
	return c.message, true
}

// File returns the content of path in the tree of the commit ref names
// ("refs/heads/gh-pages"), as a test reads what a writer committed. It
// returns false when the ref, its commit or the path is missing.
func (s *Server) File(owner, repo, ref, path string) ([]byte, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rp := s.repos[repoKey(owner, repo)]
	if rp == nil {
		return nil, false
	}
	data, _, ok := rp.fileAt(rp.refs[ref], path)
	return append([]byte(nil), data...), ok
}
