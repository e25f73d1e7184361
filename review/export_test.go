package review

// LimitBuckets is how many rate-limit buckets the server holds, for tests
// of the memory bound.
func (s *Server) LimitBuckets() int {
	return s.guard.size(s.limits.addr, s.limits.pair, s.limits.account, s.limits.device, s.limits.invite)
}

// DummyHashMade reports whether the login's stand-in bcrypt hash has been computed.
func DummyHashMade() bool { return dummyMade.Load() }
