package crawler

import (
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"perenos/store"
)

// TestSpecialPurposeAddressesAreRefused is issue 15 item 9: every range of
// the IANA IPv4 and IPv6 special-purpose registries is refused, at its
// first, last and a middle address; so are the forms that embed an
// internal IPv4 address (NAT64, IPv4-mapped), while their public
// counterparts and the neighbours just outside each range pass.
func TestSpecialPurposeAddressesAreRefused(t *testing.T) {
	refused := []string{
		// the issue's own examples
		"64:ff9b::a9fe:a9fe", "2002:a9fe:a9fe::1", "::a9fe:a9fe", "::ffff:a9fe:a9fe", "198.18.0.1", "198.19.255.255",
		"240.0.0.1", "255.255.255.254", "0.0.0.0", "0.1.2.3",
		// IPv4 registry
		"10.1.2.3", "100.64.0.1", "100.127.255.255", "127.0.0.1", "127.255.255.254", "169.254.169.254", "172.16.0.1",
		"172.31.255.255", "192.0.0.9", "192.0.0.170", "192.0.2.1", "192.31.196.1", "192.52.193.1", "192.88.99.1",
		"192.168.1.1", "192.175.48.1", "198.51.100.7", "203.0.113.9", "224.0.0.1", "239.255.255.250", "255.255.255.255",
		// IPv6 registry
		"::", "::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "64:ff9b::7f00:1", "64:ff9b::a00:1", "64:ff9b:1::1",
		"100::1", "100:0:0:1::1", "2001::1", "2001:1::1", "2001:2::1", "2001:10::1", "2001:20::1", "2001:db8::1",
		"2002::1", "2002:808:808::1", "2620:4f:8000::1", "3fff::1", "5f00::1", "fc00::1", "fd12:3456::1", "fe80::1",
		"fe80::1%eth0", "fec0::1", "ff02::1",
	}
	allowed := []string{
		"8.8.8.8", "93.158.134.3", "1.1.1.1", "100.63.255.255", "100.128.0.0", "198.17.255.255", "198.20.0.0",
		"11.0.0.0", "223.255.255.255", "192.0.1.1", "172.32.0.1", "169.255.0.1",
		"2a00:1450:4010::1", "2a02:6b8::2:242", "64:ff9b::808:808", "::ffff:8.8.8.8", "2001:200::1", "2003::1",
	}
	for _, s := range refused {
		if bad, why := forbidden(netip.MustParseAddr(s)); !bad {
			t.Errorf("%s is not refused", s)
		} else if why == "" {
			t.Errorf("%s refused without saying why", s)
		}
	}
	for _, s := range allowed {
		if bad, why := forbidden(netip.MustParseAddr(s)); bad {
			t.Errorf("%s is refused (%s); it is public", s, why)
		}
	}
	// Every range of the table, at its edges and inside.
	for _, sp := range specials {
		first := sp.prefix.Masked().Addr()
		last := lastAddr(sp.prefix)
		mid := first
		for range 7 {
			mid = mid.Next()
		}
		for _, a := range []netip.Addr{first, mid, last} {
			if !sp.prefix.Contains(a) {
				continue
			}
			if sp.embedded {
				continue // checked by what they embed, above
			}
			if bad, _ := forbidden(a); !bad {
				t.Errorf("%s (%s, %s) is not refused", a, sp.prefix, sp.name)
			}
		}
	}
}

func lastAddr(p netip.Prefix) netip.Addr {
	b := p.Masked().Addr().AsSlice()
	for i := p.Bits(); i < len(b)*8; i++ {
		b[i/8] |= 1 << (7 - i%8)
	}
	a, _ := netip.AddrFromSlice(b)
	return a
}

// TestAddressCheckRunsBeforeConnect checks the dialer's control itself (it
// runs after DNS and before connect()): the forms of internal addresses
// are refused with a message that names the range, and an allowed test
// server's exact address passes.
func TestAddressCheckRunsBeforeConnect(t *testing.T) {
	for _, addr := range []string{"[64:ff9b::a9fe:a9fe]:80", "[2002:a9fe:a9fe::1]:443", "[::a9fe:a9fe]:80", "198.18.0.1:80", "240.0.0.1:80", "0.0.0.0:80", "[::ffff:127.0.0.1]:8080"} {
		err := checkAddress(NetOptions{}, addr)
		if !errors.Is(err, ErrForbiddenAddress) {
			t.Errorf("%s: %v, want refused", addr, err)
		}
	}
	if err := checkAddress(NetOptions{Allow: []netip.AddrPort{netip.MustParseAddrPort("127.0.0.1:8080")}}, "[::ffff:127.0.0.1]:8080"); err != nil {
		t.Errorf("an allowed address was refused: %v", err)
	}
	if err := checkAddress(NetOptions{}, "93.158.134.3:443"); err != nil {
		t.Errorf("a public address was refused: %v", err)
	}
}

// TestMappedLoopbackNeverConnects crawls a loopback server by its
// IPv4-mapped IPv6 form: the connection is refused before connect(), so
// the server never sees one.
func TestMappedLoopbackNeverConnects(t *testing.T) {
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var conns atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	srv.Listener = ln
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()
	port := ln.Addr().(*net.TCPAddr).Port
	ws := store.TestStore(t)
	org := &store.Org{ID: "1", LegacyURL: "http://[::ffff:127.0.0.1]:" + strconv.Itoa(port) + "/"}
	if _, err := Crawl(t.Context(), ws, ws.Blobs, org, Options{Delay: time.Millisecond, MaxTries: 1}); err != nil {
		t.Fatal(err)
	}
	p, err := ws.Page("1", org.LegacyURL)
	if err != nil || p.ErrorKind != store.ErrorAddress {
		t.Fatalf("not refused as an internal address: %+v %v", p, err)
	}
	if n := conns.Load(); n != 0 {
		t.Fatalf("the server saw %d connections", n)
	}
}
