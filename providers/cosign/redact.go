package cosign

import "strings"

// redactString replaces every secret in s. Secrets shorter than 4 bytes are
// left alone: replacing them would mangle ordinary words and hide nothing.
func redactString(s string, secrets ...string) string {
	for _, secret := range secrets {
		if len(secret) >= 4 {
			s = strings.ReplaceAll(s, secret, "[redacted]")
		}
	}
	return s
}

// redact wraps err so that its message never shows the secrets, whatever a
// library put in it (a token echoed in a server's error body, a file name).
// errors.Is and errors.As still see the original chain.
func redact(err error, secrets ...string) error {
	if err == nil {
		return nil
	}
	msg := redactString(err.Error(), secrets...)
	if msg == err.Error() {
		return err
	}
	return &redactedError{msg: msg, err: err}
}

type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

// truncate shortens a server's error body for a message.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
