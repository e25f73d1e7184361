// Package contracttest checks HTTP traffic against the import API contract
// (portal/openapi.yaml): a request or an answer the document does not
// describe fails the test. Both the reference portal's tests and the
// uploader client's tests route their traffic through it.
package contracttest

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"

	"perenos/portal"
)

var (
	once sync.Once
	val  validator.Validator
	errs []error
)

// Validator returns the contract's validator, built once.
func Validator(t testing.TB) validator.Validator {
	t.Helper()
	once.Do(func() {
		doc, err := libopenapi.NewDocument(portal.OpenAPI)
		if err != nil {
			errs = []error{err}
			return
		}
		val, errs = validator.NewValidator(doc)
		if val != nil {
			if ok, verrs := val.ValidateDocument(); !ok {
				for _, e := range verrs {
					errs = append(errs, e)
				}
			}
		}
	})
	if len(errs) > 0 {
		t.Fatalf("portal/openapi.yaml is not a valid OpenAPI document: %v", errs)
	}
	return val
}

// Transport is an http.RoundTripper that validates every API request and
// answer passing through it against the contract, reporting each
// violation as a test error. Only /api/ traffic is checked.
type Transport struct {
	T    testing.TB
	Base http.RoundTripper // default http.DefaultTransport
	mu   sync.Mutex
	// Checked counts the exchanges validated.
	Checked int
}

// RoundTrip sends the request and validates both sides.
func (c *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	base := c.Base
	if base == nil {
		base = http.DefaultTransport
	}
	if !strings.HasPrefix(req.URL.Path, "/api/") {
		return base.RoundTrip(req)
	}
	var reqBody []byte
	if req.Body != nil {
		b, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, err
		}
		reqBody = b
		req.Body = io.NopCloser(bytes.NewReader(b))
	}
	resp, err := base.RoundTrip(req)
	if err != nil {
		return resp, err
	}
	respBody, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(respBody))
	CheckExchange(c.T, req, reqBody, resp, respBody)
	c.mu.Lock()
	c.Checked++
	c.mu.Unlock()
	return resp, nil
}

// CheckExchange validates one request and its answer against the contract.
func CheckExchange(t testing.TB, req *http.Request, reqBody []byte, resp *http.Response, respBody []byte) {
	t.Helper()
	v := Validator(t)
	r2 := req.Clone(req.Context())
	r2.Body = io.NopCloser(bytes.NewReader(reqBody))
	// The validator matches paths from the document's server URL.
	r2.URL.Scheme, r2.URL.Host = "", ""
	resp2 := *resp
	resp2.Request = r2
	resp2.Body = io.NopCloser(bytes.NewReader(respBody))
	if ok, verrs := v.ValidateHttpRequestResponse(r2, &resp2); !ok {
		for _, e := range verrs {
			detail := e.Reason
			for _, se := range e.SchemaValidationErrors {
				detail += "; " + se.Reason + " at " + se.FieldPath
			}
			t.Errorf("contract violation: %s %s → %d: %s: %s", req.Method, req.URL.Path, resp.StatusCode, e.Message, detail)
		}
	}
}
