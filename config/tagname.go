package config

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// MaxTagLength bounds a release tag in bytes. git sets no limit, but a tag
// is stored as a file named after it (refs/tags/<tag>) on the servers and
// checkouts that use loose refs, and 255 bytes is the common file-name
// limit; GitHub shows tags in URLs, where shorter is kinder.
const MaxTagLength = 255

// CheckTagName returns why name cannot be a release tag, or nil when it can.
//
// The rules are git's check-ref-format for refs/tags/<name> (git-check-ref-format(1)),
// git tag's own refusal of a leading "-" (it would read as an option), and
// GitHub's: a tag_name that starts with "refs/" is taken by the API as a
// full ref name ("refs/heads/main" names a branch), so it is refused, as is
// text that is not UTF-8 (the API speaks JSON).
//
// It is checked when the spec loads because the tag is created only at the
// end of an apply, when charts have already been pushed.
func CheckTagName(name string) error {
	switch {
	case name == "":
		return fmt.Errorf("it is empty")
	case len(name) > MaxTagLength:
		return fmt.Errorf("it is %d bytes long, over the limit of %d", len(name), MaxTagLength)
	case !utf8.ValidString(name):
		return fmt.Errorf("it is not valid UTF-8 text")
	case strings.HasPrefix(name, "-"):
		return fmt.Errorf(`it must not start with "-", which git reads as an option`)
	case name == "@":
		return fmt.Errorf(`it must not be "@", git's name for HEAD`)
	case strings.HasPrefix(name, "refs/"):
		return fmt.Errorf(`it must not start with "refs/": GitHub takes such a name as a full ref (refs/heads/... is a branch), not as a tag`)
	}
	for _, r := range name {
		switch {
		case r < 0x20 || r == 0x7f:
			return fmt.Errorf("it must not contain control characters")
		case r == ' ':
			return fmt.Errorf("it must not contain spaces")
		case strings.ContainsRune(`~^:?*[\`, r):
			return fmt.Errorf(`it must not contain %q: git refuses any of ~ ^ : ? * [ \ in a ref name`, r)
		}
	}
	switch {
	case strings.Contains(name, ".."):
		return fmt.Errorf(`it must not contain ".."`)
	case strings.Contains(name, "@{"):
		return fmt.Errorf(`it must not contain "@{"`)
	case strings.HasPrefix(name, "/"), strings.HasSuffix(name, "/"):
		return fmt.Errorf(`it must not start or end with "/"`)
	case strings.Contains(name, "//"):
		return fmt.Errorf(`it must not contain "//"`)
	case strings.HasSuffix(name, "."):
		return fmt.Errorf(`it must not end with "."`)
	}
	for _, part := range strings.Split(name, "/") {
		switch {
		case strings.HasPrefix(part, "."):
			return fmt.Errorf(`no part between slashes may start with "." (%q does)`, part)
		case strings.HasSuffix(part, ".lock"):
			return fmt.Errorf(`no part between slashes may end with ".lock" (%q does): git keeps its lock files under such names`, part)
		}
	}
	return nil
}
