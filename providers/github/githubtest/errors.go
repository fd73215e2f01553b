package githubtest

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// fieldError is one entry of a 422's "errors" list (errors.json:
// {"resource":"Label","code":"invalid","field":"color"}).
type fieldError struct {
	Resource string `json:"resource"`
	Code     string `json:"code"`
	Field    string `json:"field,omitempty"`
	Message  string `json:"message,omitempty"`
}

// writeJSON sends v with GitHub's content type.
func (c *call) writeJSON(status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		// Every value rendered here is built from plain maps and slices.
		panic(fmt.Sprintf("githubtest: encoding response: %v", err))
	}
	c.res.header.Set("Content-Type", "application/json; charset=utf-8")
	c.res.WriteHeader(status)
	_, _ = c.res.Write(b)
}

// fail sends GitHub's error body {"message", "documentation_url"} plus
// "errors" when given. Errors from the uploads host also carry
// "request_id" in the body, as release-assets-conflict.json records.
func (c *call) fail(status int, message, doc string, errs ...fieldError) {
	body := map[string]any{"message": message}
	if doc == "" {
		doc = docsBase
	}
	body["documentation_url"] = doc
	if len(errs) > 0 {
		body["errors"] = errs
	}
	if c.rt != nil && c.rt.kind == kindUpload {
		body["request_id"] = requestID(c.s.reqSeq + 1)
	}
	c.writeJSON(status, body)
}

func (c *call) notFound(doc string) {
	c.fail(http.StatusNotFound, "Not Found", doc)
}

func (c *call) unauthorized() {
	msg := "Bad credentials"
	if c.r.Header.Get("Authorization") == "" {
		msg = "Requires authentication"
	}
	c.fail(http.StatusUnauthorized, msg, docsBase)
}

// invalid sends the 422 "Validation Failed" shape of errors.json.
func (c *call) invalid(errs ...fieldError) {
	c.fail(http.StatusUnprocessableEntity, "Validation Failed", c.rt.doc, errs...)
}

// decodeJSON parses the request body into v, answering GitHub's errors for
// a body that does not parse or has a field of the wrong type. An empty body
// leaves v as it is.
func (c *call) decodeJSON(v any) bool {
	if len(c.body) == 0 {
		return true
	}
	if err := json.Unmarshal(c.body, v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			// GitHub's schema validation wording.
			c.fail(http.StatusUnprocessableEntity,
				fmt.Sprintf("Invalid request.\n\nFor 'properties/%s', %s is not a %s.", te.Field, te.Value, te.Type.Kind()), c.rt.doc)
			return false
		}
		c.badJSON()
		return false
	}
	return true
}

// missingField is GitHub's schema-validation answer to a body that lacks a
// required property.
func (c *call) missingField(name string) {
	c.fail(http.StatusUnprocessableEntity, "Invalid request.\n\n\""+name+"\" wasn't supplied.", c.rt.doc)
}

// badJSON mirrors GitHub's answer to a body that does not parse.
func (c *call) badJSON() {
	c.fail(http.StatusBadRequest, "Problems parsing JSON", c.rt.doc)
}

// requestID formats an X-GitHub-Request-Id like GitHub's
// ("0000:00000:0000000:0000000:00000000" in the fixtures).
func requestID(n int64) string {
	return fmt.Sprintf("0000:00000:0000000:0000000:%08X", n)
}

// strongETag hashes the body, so equal representations share an ETag and
// any change produces a new one.
func strongETag(body []byte) string {
	sum := sha256.Sum256(body)
	return `"` + hex.EncodeToString(sum[:]) + `"`
}

// etagMatches implements If-None-Match's weak comparison (RFC 9110 13.1.2),
// which is what GitHub applies: W/ prefixes are ignored, "*" matches.
func etagMatches(header, etag string) bool {
	if header == "" {
		return false
	}
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == "*" || t == etag {
			return true
		}
	}
	return false
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// idParam parses a numeric path parameter; GitHub answers 404 for anything
// that is not an ID.
func (c *call) idParam(name string) (int64, bool) {
	v, err := strconv.ParseInt(c.params[name], 10, 64)
	if err != nil || v <= 0 {
		c.notFound(c.rt.doc)
		return 0, false
	}
	return v, true
}
