package main

import (
	"strings"
	"testing"
)

func TestE2E_publishingTagsTheCommitBeingReleased(t *testing.T) {
	h := newHarness(t)
	h.chart("alpha", "1.0.0")
	h.full("", "", fastRetry)
	const sha = "1111111111111111111111111111111111111111"
	h.env["GITHUB_SHA"] = sha
	out := h.mustRelctl(exitOK, "plan")
	if !strings.Contains(out, "+ git_tag.alpha") || !strings.Contains(out, "created by GitHub at 111111111111") {
		t.Fatalf("plan:\n%s", out)
	}
	out = h.mustRelctl(exitOK, "apply", "--auto-approve")
	if !strings.Contains(out, "git_tag.alpha: Creation complete") {
		t.Errorf("apply does not report the tag:\n%s", out)
	}
	if got := h.gh.Refs("acme", "charts")["refs/tags/alpha-v1.0.0"]; got != sha {
		t.Fatalf("refs/tags/alpha-v1.0.0 = %q, want %s", got, sha)
	}
	// Published, the tag is the release's: a later commit changes nothing.
	h.env["GITHUB_SHA"] = "2222222222222222222222222222222222222222"
	h.mustRelctl(exitOK, "plan", "--detailed-exitcode")
}

func TestE2E_aTagAtAnotherCommitBlocksTheRelease(t *testing.T) {
	h := newHarness(t)
	h.chart("alpha", "1.0.0")
	h.full("", "", fastRetry)
	h.gh.SeedRef("acme", "charts", "refs/tags/alpha-v1.0.0", "3333333333333333333333333333333333333333")
	h.env["GITHUB_SHA"] = "1111111111111111111111111111111111111111"
	out := h.mustRelctl(exitError, "plan")
	if !strings.Contains(out, "! git_tag.alpha") || !strings.Contains(out, "already points at 333333333333, not at 111111111111") {
		t.Fatalf("plan:\n%s", out)
	}
	h.gh.ResetLog()
	h.mustRelctl(exitError, "apply", "--auto-approve")
	if m := h.gh.Mutations(); m != 0 {
		t.Fatalf("a blocked tag led to %d GitHub writes", m)
	}

	// An annotated tag at the commit being released is fine.
	h2 := newHarness(t)
	h2.chart("alpha", "1.0.0")
	h2.full("", "", fastRetry)
	h2.gh.SeedAnnotatedTag("acme", "charts", "alpha-v1.0.0", "1111111111111111111111111111111111111111")
	h2.env["GITHUB_SHA"] = "1111111111111111111111111111111111111111"
	out = h2.mustRelctl(exitOK, "plan")
	if !strings.Contains(out, "Plan:") || strings.Contains(out, "git_tag.alpha") {
		t.Fatalf("plan with an annotated tag at the commit:\n%s", out)
	}
	h2.mustRelctl(exitOK, "apply", "--auto-approve")
}
