// Package httplog is relctl's request trace (RELCTL_LOG=debug, Terraform's
// TF_LOG habit): one line on stderr per HTTP attempt relctl makes to a
// registry, GitHub or the GitHub Actions token service, with the method,
// the URL, the status (or the error), the time it took and its retry
// number.
//
// It owns what a trace line may say. It never writes a header or a body,
// both of which carry credentials (Authorization, tokens in JSON answers);
// it drops userinfo from URLs and replaces every query value that is not
// known to be harmless (pagination, names, registry token scopes) with
// "REDACTED", since signed storage URLs and some APIs carry tokens there.
//
// A nil *Logger logs nothing and wraps nothing, so providers take one
// unconditionally. The package is a leaf: it imports no relctl package.
package httplog
