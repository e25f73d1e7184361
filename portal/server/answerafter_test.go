package server_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"perenos/portal/server"
)

// With AnswerAfter the portal does a write's work at once and holds only
// the answer: the object is stored while the answer still waits, and a
// client that gives up meanwhile ends the wait.
func TestAnswerAfterDoesTheWorkAndHoldsTheAnswer(t *testing.T) {
	hs, srv := server.TestServer(t, server.Config{Faults: server.Faults{AnswerAfter: time.Hour}}, "sh1")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, "PUT", hs.URL+"/api/v1/sites/sh1/sections/3801.s.sveden",
		bytes.NewReader([]byte(`{"title":"Сведения","path":"/svedeniya/","order":1}`)))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+server.TestToken("sh1"))
	req.Header.Set("Content-Type", "application/json")
	done := make(chan error, 1)
	go func() {
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
			err = errors.New("answered " + resp.Status + " before its hour")
		}
		done <- err
	}()
	for stored := false; !stored; {
		select {
		case err := <-done:
			t.Fatalf("the request ended before the section was stored: %v", err)
		case <-time.After(5 * time.Millisecond):
		}
		objects, _, _, err := srv.Counts("sh1")
		if err != nil {
			t.Fatal(err)
		}
		stored = objects == 1
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("the held answer: %v, want the client's cancellation", err)
	}
}

// An answer is never sent before its time, and the other faults still
// apply beside AnswerAfter: a dropped connection is dropped.
func TestAnswerAfterHoldsAnswersAndKeepsTheOtherFaults(t *testing.T) {
	const after = 30 * time.Millisecond
	hs, _ := server.TestServer(t, server.Config{Faults: server.Faults{AnswerAfter: after}}, "sh1")
	start := time.Now()
	resp, _ := call(t, hs.URL, "GET", "/api/v1/sites/sh1/pages", server.TestToken("sh1"), "", nil)
	if took := time.Since(start); resp.StatusCode != 200 || took < after {
		t.Fatalf("answered %d after %v, want 200 no sooner than %v", resp.StatusCode, took, after)
	}
	hs2, _ := server.TestServer(t, server.Config{Faults: server.Faults{AnswerAfter: after, ResetRate: 1}}, "sh1")
	req, _ := http.NewRequest("GET", hs2.URL+"/api/v1/sites/sh1/pages", nil)
	req.Header.Set("Authorization", "Bearer "+server.TestToken("sh1"))
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
		t.Fatalf("reset-rate 1 with AnswerAfter answered %d instead of dropping the connection", resp.StatusCode)
	}
}
