"""The HIS link: HL7 FHIR R4 read API, Schedule/Slot import and signed appointment pushes."""
