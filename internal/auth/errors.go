package auth

import "errors"

// The errors of authentication, in one place. Their messages are shown to clients
// as they are (login answers, UNAUTHENTICATED errors, the set-password page), so they
// are written for people and never carry the credential; tests match them with
// errors.Is, never by text.
var (
	// Logins and sessions

	// ErrBadLogin: the email is unknown or the password wrong; one answer for both,
	// so it does not tell which accounts exist.
	ErrBadLogin = errors.New("wrong email or password")
	// ErrBusy: the password hashing queue is full or the wait for it ran out; the client
	// should retry in a second (503 with Retry-After).
	ErrBusy = errors.New("too many logins at once; try again in a second")
	// ErrBadToken: the login token is malformed, forged, expired or no longer valid.
	ErrBadToken = errors.New("the login token is invalid or has expired")
	// ErrCrossSite: a cookie session came without the header or JSON body that a
	// cross-site form cannot send.
	ErrCrossSite = errors.New("a cookie session needs the X-Requested-With: backoffice header or a JSON body")
	// ErrBadCredentials: the Authorization header is no Bearer credential, or names an
	// API key that is unknown or whose secret does not match; one answer for all.
	ErrBadCredentials = errors.New("the credentials are invalid")
	// ErrMFARequired: the password was right and the account signs in with a second
	// factor, which the attempt did not carry. The answer is the same for a wrong
	// password, so it says nothing until the password is right.
	ErrMFARequired = errors.New("mfa_required")
	// ErrInvalidOTP: the password was right but the code was wrong, used or expired.
	ErrInvalidOTP = errors.New("invalid_otp")

	// API keys

	// ErrMalformedKey: the string is not an API key.
	ErrMalformedKey = errors.New("malformed API key")
	// ErrKeyRevoked: the key was revoked; it stops at once.
	ErrKeyRevoked = errors.New("this API key has been revoked")
	// ErrKeyExpired: the key is past its expiry.
	ErrKeyExpired = errors.New("this API key has expired")
	// ErrKeyEnvironment: a pk_live key in sandbox mode or a pk_test key in live mode.
	ErrKeyEnvironment = errors.New("this API key belongs to the other environment (pk_test in sandbox mode, pk_live in live mode)")

	// Passwords and invitations

	// ErrPasswordTooShort: passwords must have at least MinPasswordLength characters.
	ErrPasswordTooShort = errors.New("password must be at least 10 characters")
	// ErrPasswordTooLong: passwords have at most MaxPasswordLength bytes.
	ErrPasswordTooLong = errors.New("password must be at most 256 bytes")
	// ErrInvitationInvalid: the set-password token is unknown, used or expired. One
	// error for all three, so the answer does not tell which.
	ErrInvitationInvalid = errors.New("this invitation link is invalid or has expired")
)
