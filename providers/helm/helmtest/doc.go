// Package helmtest is an in-process classic chart repository for tests: an
// httptest server serving an index.yaml of helm's format (apiVersion v1,
// entries of chart metadata with urls, created and digest) and the chart
// archives it lists, with relative or absolute entry URLs. It counts the
// requests it answers, revalidates index requests (ETag / If-None-Match or
// Last-Modified / If-Modified-Since), can require basic auth, and injects
// faults, so tests can prove what a resolver fetched and how often.
package helmtest
