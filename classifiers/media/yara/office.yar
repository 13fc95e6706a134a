/*
  Office documents with macros. A macro that runs on opening and reaches the
  shell or the network is a dropper (block); any other VBA project is worth
  a look (review) because macros are how most office malware arrives.
*/
rule Office_Macro_AutoExec_Dropper
{
    meta:
        description = "Office macro runs on open and calls the shell or downloads"
        severity = "block"
        score = "0.95"
    strings:
        $auto1 = "AutoOpen" nocase
        $auto2 = "Document_Open" nocase
        $auto3 = "Workbook_Open" nocase
        $auto4 = "Auto_Open" nocase
        $bad1 = "Shell(" nocase
        $bad2 = "WScript.Shell" nocase
        $bad3 = "URLDownloadToFile" nocase
        $bad4 = "CreateObject(" nocase
        $bad5 = "powershell" nocase
    condition:
        any of ($auto*) and any of ($bad*)
}

rule Office_VBA_Project
{
    meta:
        description = "Office document carries a VBA macro project"
        severity = "review"
        score = "0.6"
    strings:
        $ole = { D0 CF 11 E0 A1 B1 1A E1 }
        $vba1 = "_VBA_PROJECT" wide
        $vba2 = "vbaProject.bin"
        $attr = "Attribute VB_Name"
    condition:
        ($ole at 0 and ($vba1 or $attr)) or (uint32(0) == 0x04034B50 and $vba2)
}
