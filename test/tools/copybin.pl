#!/usr/bin/perl
# Writes a binary COPY stream of one row with one field, for testing a type's
# receive function with bytes that no send function would produce:
#
#   \copy t FROM PROGRAM 'perl test/tools/copybin.pl 0000000000000003 0000000000000002' (FORMAT binary)
#
# Each argument is a piece of the field in hex; the pieces are concatenated.
use strict;
use warnings;

my $field = join '', map { pack 'H*', $_ } @ARGV;
binmode STDOUT;
print "PGCOPY\n\377\r\n\0", pack('NN', 0, 0);          # signature, flags, extension
print pack('n', 1), pack('N', length $field), $field;  # one tuple, one field
print pack('n', 0xFFFF);                               # trailer
