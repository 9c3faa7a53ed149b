Feature: Entering a PIN with the dial pad or in the address
  Guide, "Calling the VMR": "If the VMR is PIN-protected, you can use the Skype for Business /
  Lync dial pad or keyboard to enter the conference PIN. Alternatively, to bypass the PIN entry
  stage, you can include the PIN as part of the contact address in the format:
  <vmr_alias>**<PIN>@<domain>. For example, if the alias of the Virtual Meeting Room is
  meet.alice@example.com and the PIN is 1234, then the address would be
  meet.alice**1234@example.com."
  DESIGN §2 "PINs, roles and host gating": digits ended by #, or 5 s after the last digit; three
  wrong attempts, then "invalid PIN" and disconnect; nothing entered, disconnect after the PIN
  entry timeout; a configured 1234 and 1234# are the same PIN.

  Background:
    Given Parley runs the demo configuration
    And a meeting room "Locked room" at locked@example.com
    And "Locked room" has the PIN 4321
    And Alice uses Skype for Business

  Scenario: A PIN-protected room asks for the PIN
    When Alice dials locked@example.com
    Then Alice sees the PIN entry screen
    And Alice hears the PIN prompt

  Scenario: The PIN typed on the dial pad and ended with # lets you in
    Given Alice dials locked@example.com
    When Alice enters 4321# on the dial pad
    Then Alice is in "Locked room"
    And Alice sees herself

  Scenario: Without #, the PIN is taken 5 seconds after the last digit
    Given Alice dials locked@example.com
    When Alice enters 4321 on the dial pad
    And 4 seconds pass
    Then Alice sees the PIN entry screen
    When 1 second passes
    Then Alice is in "Locked room"

  Scenario Outline: The address can carry the PIN and skip the PIN entry stage
    When Alice dials <address>
    Then Alice is in "Locked room"
    And Alice never saw the PIN entry screen

    Examples:
      | address                         |
      | locked**4321@example.com        |
      | sip:locked**4321@example.com    |
      | locked**4321#@example.com       |
      | LOCKED**4321@EXAMPLE.COM        |

  Scenario: A wrong PIN can be corrected
    Given Alice dials locked@example.com
    When Alice enters 9999# on the dial pad
    Then Alice hears the PIN prompt again
    And Alice sees the PIN entry screen
    When Alice enters 4321# on the dial pad
    Then Alice is in "Locked room"

  Scenario: Three wrong PINs and the call ends
    Given Alice dials locked@example.com
    When Alice enters 1111# on the dial pad
    And Alice enters 2222# on the dial pad
    And Alice enters 3333# on the dial pad
    Then Alice hears the invalid PIN message
    And Alice sees the invalid PIN screen
    When the message has played
    Then Alice is disconnected

  Scenario: A wrong PIN in the address counts as the first attempt
    Given Alice dials locked**9999@example.com
    Then Alice sees the PIN entry screen
    When Alice enters 1111# on the dial pad
    And Alice enters 2222# on the dial pad
    Then Alice hears the invalid PIN message
    When the message has played
    Then Alice is disconnected

  Scenario: After a wrong PIN in the address, the right one on the dial pad still works
    Given Alice dials locked**9999@example.com
    When Alice enters 4321# on the dial pad
    Then Alice is in "Locked room"

  Scenario: Nobody waits at the PIN prompt for ever
    Given Alice dials locked@example.com
    When 59 seconds pass
    Then Alice sees the PIN entry screen
    When 1 second passes
    And the message has played
    Then Alice is disconnected

  Scenario: The PIN entry timeout is the administrator's choice
    Given the PIN entry timeout is 20 seconds
    And Alice dials locked@example.com
    When 20 seconds pass
    And the message has played
    Then Alice is disconnected

  Scenario Outline: A trailing # is not part of the PIN
    Given a meeting room "Hash room" at hash@example.com
    And "Hash room" has the PIN <configured>
    And Alice dials hash@example.com
    When Alice enters <typed> on the dial pad
    Then Alice is in "Hash room"

    Examples:
      | configured | typed  |
      | 1234       | 1234#  |
      | 1234#      | 1234#  |

  Scenario Outline: A PIN in the address matches with or without its trailing #
    Given a meeting room "Hash room" at hash@example.com
    And "Hash room" has the PIN <configured>
    When Alice dials <address>
    Then Alice is in "Hash room"

    Examples:
      | configured | address                 |
      | 1234#      | hash**1234@example.com  |
      | 1234       | hash**1234#@example.com |

  Scenario Outline: Every kind of system enters the PIN its own way
    Given Dave uses <system>
    And Dave dials locked@example.com
    When Dave enters 4321# on the remote control
    Then Dave is in "Locked room"

    Examples:
      | system                 |
      | a SIP room system      |
      | a SIP video app        |

    # The web app has no wire form until a WebRTC adapter exists (DESIGN §5: not on the wire yet).
    @sim-only
    Examples: the web app
      | system                 |
      | the web app            |

    # H.323 systems exist only in the simulator until the H.323 adapter (DESIGN §2 "h323").
    @sim-only
    Examples: H.323
      | system                 |
      | an H.323 room system   |

  Scenario: A room without a PIN lets everyone straight in
    When Alice dials meet.bob@example.com
    Then Alice is in "Bob's room"
    And Alice never saw the PIN entry screen

  # DESIGN §6 global `pin_lockout`: wrong PINs from one caller, across calls, lock that caller
  # out for a while; the room's Host, calling from elsewhere, is not locked out.
  Scenario: Someone guessing PINs call after call is locked out, and the Host still gets in
    Given Parley locks a caller out for 5 minutes after 3 wrong PINs within 1 minute
    And Bob uses Skype for Business
    And Alice dials locked**1111@example.com
    And Alice hangs up
    And Alice dials locked**2222@example.com
    And Alice hangs up
    And Alice dials locked**3333@example.com
    And Alice hangs up
    When Alice dials locked**4321@example.com
    Then Alice's call fails
    When Bob dials locked**4321@example.com
    Then Bob is in "Locked room"

  # Five minutes of lockout are told from the second before: the simulator's clock only.
  @sim-only
  Scenario: The lockout ends after its time
    Given Parley locks a caller out for 5 minutes after 3 wrong PINs within 1 minute
    And Alice dials locked**1111@example.com
    And Alice hangs up
    And Alice dials locked**2222@example.com
    And Alice hangs up
    And Alice dials locked**3333@example.com
    And Alice hangs up
    When 4 minutes pass
    And Alice dials locked**4321@example.com
    Then Alice's call fails
    When 1 minute passes
    And Alice dials locked**4321@example.com
    Then Alice is in "Locked room"
