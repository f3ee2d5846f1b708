// Package domain is the product's shared vocabulary: the enumerations, addresses and
// calendar dates that storage, the domain services and the API all speak. It is a leaf
// package (it imports nothing of ours) so the ent schemas can use its types as GoTypes
// and every layer agrees on one spelling of each value.
//
// The enum types carry MarshalGQL/UnmarshalGQL so gqlgen binds them directly; those
// methods only read and write strings and import nothing of GraphQL.
package domain
