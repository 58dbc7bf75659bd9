; Vault Browser: per-user Windows installer (NSIS 3, Modern UI 2).
;
; Installs the PyInstaller onedir build (dist\vaultbrowser\: vaultbrowser.exe + _internal\) into
; %LOCALAPPDATA%\Programs\vaultbrowser without administrator rights, with a per-user Start-menu
; shortcut and a per-user (HKCU) entry in "Apps & features".
;
; Everything build-specific comes from /D defines on the makensis command line:
;   VERSION     required  the package version, e.g. 0.1.0 (vaultbrowser.__version__)
;   SOURCE_DIR  required  the onedir folder holding vaultbrowser.exe and _internal\
;   OUTFILE     required  the installer to write, e.g. dist\vaultbrowser-0.1.0-setup.exe
;   VERSION4    optional  the 4-part numeric version for the file's version resource
;                         (VIProductVersion), e.g. 0.1.0.0; derived from VERSION as X.Y.Z.0
;                         when omitted, which only works for a plain X.Y.Z version
;   ICON        optional  an .ico for the installer and uninstaller (build\icons\vaultbrowser.ico);
;                         NSIS's default icon when omitted
;
; Example (Windows):
;   "C:\Program Files (x86)\NSIS\makensis.exe" /WX /DVERSION=0.1.0 /DVERSION4=0.1.0.0
;     /DSOURCE_DIR=%CD%\dist\vaultbrowser /DOUTFILE=%CD%\dist\vaultbrowser-0.1.0-setup.exe
;     /DICON=%CD%\build\icons\vaultbrowser.ico packaging\windows\vaultbrowser.nsi
;
; Silent use: "setup.exe /S" (optionally "/D=C:\some\dir" as the LAST argument, unquoted);
; uninstall with "%LOCALAPPDATA%\Programs\vaultbrowser\uninstall.exe /S".
;
; User data is NOT removed by the uninstaller: the app's QSettings (HKCU\Software\vaultbrowser)
; and its per-user data directory are kept, so a reinstall or upgrade keeps the saved connections.

Unicode true

;--------------------------------------------------------------------------------------------------
; Required defines

!ifndef VERSION
  !error "VERSION is not defined: pass /DVERSION=X.Y.Z (vaultbrowser.__version__)"
!endif
!ifndef SOURCE_DIR
  !error "SOURCE_DIR is not defined: pass /DSOURCE_DIR=<path to dist\vaultbrowser>"
!endif
!ifndef OUTFILE
  !error "OUTFILE is not defined: pass /DOUTFILE=<path of the setup .exe to write>"
!endif
!ifndef VERSION4
  ; X.Y.Z -> X.Y.Z.0 (fails to compile, with a message, when VERSION is not of that form).
  !searchparse "${VERSION}" "" _VB_MAJOR "." _VB_MINOR "." _VB_PATCH
  !define VERSION4 "${_VB_MAJOR}.${_VB_MINOR}.${_VB_PATCH}.0"
!endif

!define APP_ID "io.github.vaultbrowser.VaultBrowser"
!define APP_NAME "vaultbrowser"
!define DISPLAY_NAME "Vault Browser"
!define PUBLISHER "vaultbrowser project"
!define APP_EXE "vaultbrowser.exe"
!define UNINSTALLER "uninstall.exe"
!define SHORTCUT_NAME "${DISPLAY_NAME}.lnk"
!define UNINST_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\${APP_ID}"

;--------------------------------------------------------------------------------------------------
; General

Name "${DISPLAY_NAME}"
OutFile "${OUTFILE}"
InstallDir "$LOCALAPPDATA\Programs\${APP_NAME}"
InstallDirRegKey HKCU "${UNINST_KEY}" "InstallLocation"
RequestExecutionLevel user
SetCompressor /SOLID lzma
ManifestDPIAware true
BrandingText "${DISPLAY_NAME} ${VERSION}"
ShowInstDetails show
ShowUninstDetails show

VIProductVersion "${VERSION4}"
VIFileVersion "${VERSION4}"
VIAddVersionKey /LANG=1033 "ProductName" "${DISPLAY_NAME}"
VIAddVersionKey /LANG=1033 "ProductVersion" "${VERSION}"
VIAddVersionKey /LANG=1033 "FileVersion" "${VERSION}"
VIAddVersionKey /LANG=1033 "FileDescription" "${DISPLAY_NAME} ${VERSION} Setup"
VIAddVersionKey /LANG=1033 "CompanyName" "${PUBLISHER}"
VIAddVersionKey /LANG=1033 "LegalCopyright" "MIT License, ${PUBLISHER}"

!include "MUI2.nsh"
!include "FileFunc.nsh"
!include "LogicLib.nsh"

;--------------------------------------------------------------------------------------------------
; Interface

!define MUI_ABORTWARNING
!ifdef ICON
  !define MUI_ICON "${ICON}"
  !define MUI_UNICON "${ICON}"
!endif

!insertmacro MUI_PAGE_WELCOME
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!define MUI_FINISHPAGE_RUN "$INSTDIR\${APP_EXE}"
!define MUI_FINISHPAGE_RUN_TEXT "Run ${DISPLAY_NAME}"
; The "show readme" checkbox doubles as the optional desktop shortcut, unchecked by default (never
; created by a silent install, which shows no pages).
!define MUI_FINISHPAGE_SHOWREADME ""
!define MUI_FINISHPAGE_SHOWREADME_TEXT "Create a desktop shortcut"
!define MUI_FINISHPAGE_SHOWREADME_NOTCHECKED
!define MUI_FINISHPAGE_SHOWREADME_FUNCTION CreateDesktopShortcut
!insertmacro MUI_PAGE_FINISH

!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES

!insertmacro MUI_LANGUAGE "English"

;--------------------------------------------------------------------------------------------------
; Helpers

; Waits until <dir>\<exe> is not running (a running .exe cannot be opened for writing), asking
; the user to close it; a silent run gives up at once. Aborts (exit code 2) on Cancel.
!macro WAIT_UNTIL_EXE_CLOSED DIR EXE
  ${If} ${FileExists} "${DIR}\${EXE}"
    ${Do}
      ClearErrors
      FileOpen $9 "${DIR}\${EXE}" a
      ${IfNot} ${Errors}
        FileClose $9
        ${Break}
      ${EndIf}
      ${If} ${Cmd} `MessageBox MB_RETRYCANCEL|MB_ICONEXCLAMATION "${DISPLAY_NAME} (${EXE}) is running. Close it, then click Retry." /SD IDCANCEL IDCANCEL`
        Abort "${DISPLAY_NAME} is running (${DIR}\${EXE}); close it and try again."
      ${EndIf}
    ${Loop}
  ${EndIf}
!macroend

; Both programs of the build: the window and its console twin (a long `audit` in a terminal
; holds the same _internal\ files).
!macro WAIT_UNTIL_CLOSED DIR
  !insertmacro WAIT_UNTIL_EXE_CLOSED "${DIR}" "${APP_EXE}"
  !insertmacro WAIT_UNTIL_EXE_CLOSED "${DIR}" "${APP_NAME}-cli.exe"
!macroend

Function .onInit
  ; Per-user shell folders ($SMPROGRAMS, $DESKTOP): no admin rights needed or asked for.
  SetShellVarContext current
FunctionEnd

Function CreateDesktopShortcut
  CreateShortcut "$DESKTOP\${SHORTCUT_NAME}" "$INSTDIR\${APP_EXE}" "" "$INSTDIR\${APP_EXE}" 0
FunctionEnd

;--------------------------------------------------------------------------------------------------
; Install

Section "Install"
  SetShellVarContext current

  ; Upgrade in place: remove an earlier install first, so no stale file of an older version
  ; (a module dropped from _internal\, say) survives next to the new one.
  ReadRegStr $R0 HKCU "${UNINST_KEY}" "InstallLocation"
  ${If} $R0 != ""
  ${AndIf} ${FileExists} "$R0\${UNINSTALLER}"
    !insertmacro WAIT_UNTIL_CLOSED "$R0"
    DetailPrint "Removing the earlier installation in $R0"
    ; _?= runs the uninstaller in place and waits for it (it cannot delete itself then).
    ExecWait '"$R0\${UNINSTALLER}" /S _?=$R0' $R1
    DetailPrint "Earlier uninstaller exit code: $R1"
    Delete "$R0\${UNINSTALLER}"
    RMDir "$R0"
  ${EndIf}
  !insertmacro WAIT_UNTIL_CLOSED "$INSTDIR"
  ; Same guard as the uninstaller: only wipe _internal\ in a folder that holds our executable.
  ${If} ${FileExists} "$INSTDIR\${APP_EXE}"
    RMDir /r "$INSTDIR\_internal"
  ${EndIf}

  SetOutPath "$INSTDIR"
  File /r "${SOURCE_DIR}\*"
  WriteUninstaller "$INSTDIR\${UNINSTALLER}"

  CreateShortcut "$SMPROGRAMS\${SHORTCUT_NAME}" "$INSTDIR\${APP_EXE}" "" "$INSTDIR\${APP_EXE}" 0

  WriteRegStr HKCU "${UNINST_KEY}" "DisplayName" "${DISPLAY_NAME}"
  WriteRegStr HKCU "${UNINST_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKCU "${UNINST_KEY}" "Publisher" "${PUBLISHER}"
  WriteRegStr HKCU "${UNINST_KEY}" "DisplayIcon" "$INSTDIR\${APP_EXE},0"
  WriteRegStr HKCU "${UNINST_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKCU "${UNINST_KEY}" "UninstallString" '"$INSTDIR\${UNINSTALLER}"'
  WriteRegStr HKCU "${UNINST_KEY}" "QuietUninstallString" '"$INSTDIR\${UNINSTALLER}" /S'
  WriteRegDWORD HKCU "${UNINST_KEY}" "NoModify" 1
  WriteRegDWORD HKCU "${UNINST_KEY}" "NoRepair" 1
  ${GetSize} "$INSTDIR" "/S=0K" $0 $1 $2
  IntFmt $0 "0x%08X" $0
  WriteRegDWORD HKCU "${UNINST_KEY}" "EstimatedSize" "$0"
SectionEnd

;--------------------------------------------------------------------------------------------------
; Uninstall: exactly what the installer created (the onedir build holds vaultbrowser.exe,
; vaultbrowser-cli.exe and _internal\; packaging/vaultbrowser.spec). The per-user app data (QSettings in
; HKCU\Software\vaultbrowser, the data directory) is deliberately kept.

Function un.onInit
  SetShellVarContext current
FunctionEnd

Section "Uninstall"
  SetShellVarContext current
  !insertmacro WAIT_UNTIL_CLOSED "$INSTDIR"

  Delete "$SMPROGRAMS\${SHORTCUT_NAME}"
  Delete "$DESKTOP\${SHORTCUT_NAME}"

  ; Exactly the onedir build's own names, never RMDir /r "$INSTDIR": the user may have chosen an
  ; existing folder (the Desktop, say), whose other contents are not ours to delete.
  Delete "$INSTDIR\${APP_EXE}"
  Delete "$INSTDIR\${APP_NAME}-cli.exe"
  RMDir /r "$INSTDIR\_internal"
  Delete "$INSTDIR\${UNINSTALLER}"
  RMDir "$INSTDIR"  ; only when empty

  DeleteRegKey HKCU "${UNINST_KEY}"
SectionEnd
