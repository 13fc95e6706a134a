/*
  The EICAR anti-virus test file: every scanner must call it malware.
  It is 68 printable bytes at the start of a file, optionally followed by
  up to 60 bytes of whitespace; we accept it anywhere in the first 128 bytes.
*/
rule EICAR_Test_File
{
    meta:
        description = "EICAR anti-virus test file"
        severity = "block"
        score = "1.0"
    strings:
        $eicar = "X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
    condition:
        $eicar in (0..128) and filesize < 256
}
