package com.calcgrid;

/**
 * Marker for every message and event that crosses a node boundary or reaches the journal.
 * Bound to jackson-cbor in serialization.conf: never Java serialization.
 */
public interface CborSerializable {}
