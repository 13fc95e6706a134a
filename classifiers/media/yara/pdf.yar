/*
  PDF documents that run something when opened. PDF text is not extracted
  (no PDF reader in the lock), but its active content is still looked at.
*/
rule PDF_Launch_Action
{
    meta:
        description = "PDF launches a program or file when opened (/Launch action)"
        severity = "block"
        score = "0.9"
    strings:
        $launch = "/Launch"
        $cmd1 = "cmd.exe" nocase
        $cmd2 = "powershell" nocase
        $cmd3 = "/bin/sh"
        $cmd4 = ".exe" nocase
    condition:
        uint32(0) == 0x46445025 and $launch and any of ($cmd*)
}

rule PDF_Auto_JavaScript
{
    meta:
        description = "PDF runs JavaScript automatically when opened"
        severity = "review"
        score = "0.6"
    strings:
        $open1 = "/OpenAction"
        $open2 = "/AA"
        $js1 = "/JavaScript"
        $js2 = "/JS"
    condition:
        uint32(0) == 0x46445025 and any of ($open*) and any of ($js*)
}
